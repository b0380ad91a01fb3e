// Hostile input to every parser a user or the platform feeds: random, truncated and wrongly typed text never
// crashes, hangs or answers with anything but the parser's own clear error.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError } from 'commander';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchFileError, parseBatchCsv, parseBatchJsonl } from '../../src/batch/file';
import { duration, httpUrl, oneOf, positiveInt, positiveNumber } from '../../src/cli/parse';
import { InvalidInputError } from '../../src/client';
import { HaiClient } from '../../src/hai/client';
import { HaiApiError } from '../../src/hai/errors';
import { sign, verifyNotification } from '../../src/notify/signature';
import { checkCalendar, checkCron, checkEvery, checkTimeZone, compileSpec, durationMs } from '../../src/schedule/spec';

const RUNS = { numRuns: 150 };

/** Runs `parse`; it may return, or throw `errorClass` with a message. Anything else fails the property. */
function refusesClearly(parse: () => unknown, errorClass: new (...args: never[]) => Error): void {
  try {
    parse();
  } catch (err) {
    if (!(err instanceof errorClass))
      throw new Error(`threw ${String(err)} instead of ${errorClass.name}`, { cause: err });
    expect(err.message.trim().length).toBeGreaterThan(5);
  }
}

describe('CLI argument parsers', () => {
  it('return a value or an InvalidArgumentError for any string', () => {
    const parsers = [positiveInt, positiveNumber, duration, httpUrl, oneOf(['a', 'b'] as const)];
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (raw) => {
        for (const parse of parsers) refusesClearly(() => parse(raw), InvalidArgumentError);
      }),
      RUNS,
    );
  });
});

describe('batch files', () => {
  const line = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 120 }),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.record({ task: fc.anything({ maxDepth: 2 }), key: fc.anything({ maxDepth: 1 }) }).map((v) => JSON.stringify(v)),
  );
  it('parse JSONL and CSV of random lines into items or a BatchFileError naming the lines', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        const text = lines.join('\n');
        refusesClearly(() => parseBatchJsonl(text), BatchFileError);
        refusesClearly(() => parseBatchCsv(`task,key\n${text}`), BatchFileError);
      }),
      RUNS,
    );
  });
});

describe('schedule specs', () => {
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc
      .array(fc.constantFrom('*', '0', '59', '*/5', '1-5', 'MON', '?', 'L', '#', ',', ' ', '-1', '99999999999'), {
        maxLength: 8,
      })
      .map((p) => p.join(' ')),
  );
  const field = fc.oneof(fc.anything({ maxDepth: 2 }), text);
  const timing = fc.record(
    { cron: field, every: field, calendar: field, timezone: field, jitter: field, start: field, end: field },
    { requiredKeys: [] },
  );
  it('refuse any cron, calendar, interval, duration or time zone they cannot use with an InvalidInputError', () => {
    fc.assert(
      fc.property(text, fc.oneof(fc.anything({ maxDepth: 2 }), timing), (raw, value) => {
        refusesClearly(() => checkCron(raw), InvalidInputError);
        refusesClearly(() => checkCalendar(raw), InvalidInputError);
        refusesClearly(() => checkEvery(raw), InvalidInputError);
        refusesClearly(() => durationMs(raw, 'catch-up window'), InvalidInputError);
        refusesClearly(() => checkTimeZone(raw), InvalidInputError);
        refusesClearly(() => compileSpec({ cron: raw } as never), InvalidInputError);
        refusesClearly(() => compileSpec(value as never), InvalidInputError);
      }),
      RUNS,
    );
  });
});

describe('webhook signatures', () => {
  const body = '{"type":"session.awaiting_approval"}';
  const now = 1_800_000_000;
  const headers = (timestamp: number, signature: string) => ({
    'x-hai-temporal-timestamp': String(timestamp),
    'x-hai-temporal-signature': signature,
  });
  it('accept a signature within 300 s either way and refuse an older or later one', () => {
    for (const skew of [-300, 0, 300])
      expect(() =>
        verifyNotification({ secret: 's', body, nowS: now, headers: headers(now + skew, sign('s', now + skew, body)) }),
      ).not.toThrow();
    for (const skew of [-301, 301])
      expect(() =>
        verifyNotification({ secret: 's', body, nowS: now, headers: headers(now + skew, sign('s', now + skew, body)) }),
      ).toThrow(/s old/);
  });
  it('refuse any other signature, of any length', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (signature) => {
        fc.pre(signature !== sign('s', now, body));
        expect(() => verifyNotification({ secret: 's', body, nowS: now, headers: headers(now, signature) })).toThrow();
      }),
      RUNS,
    );
  });
});

describe('platform responses', () => {
  let server: Server;
  let reply = '';
  let client: HaiClient;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(reply);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new HaiClient({
      apiKey: 'hk-prop',
      baseUrl: `http://127.0.0.1:${port}`,
      env: {},
      retries: 'resets',
      maxRetries: 0,
      timeoutMs: 5_000,
    });
  });
  afterAll(async () => {
    await client?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  const valid = JSON.stringify({
    id: '0b6f1c2e-8a0e-4a8e-9a55-3f7c5d0e1a11',
    status: 'running',
    events: [],
    has_more: false,
    next_index: 0,
  });
  const bodies = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.nat({ max: valid.length }).map((n) => valid.slice(0, n)),
    fc.anything({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc
      .record({
        status: fc.anything(),
        events: fc.anything(),
        id: fc.anything(),
        items: fc.anything(),
        has_more: fc.anything(),
      })
      .map((v) => JSON.stringify(v)),
    fc.constantFrom(
      JSON.stringify({ events: Array.from({ length: 100_000 }, (_, i) => i), has_more: true, next_index: 1 }),
      JSON.stringify({ items: Array.from({ length: 100_000 }, () => ({})), total: 1 }),
    ),
  );
  const ID = '0b6f1c2e-8a0e-4a8e-9a55-3f7c5d0e1a11';
  const calls: [string, () => Promise<unknown>][] = [
    ['getStatus', () => client.getStatus(ID)],
    ['getSession', () => client.getSession(ID)],
    ['getChanges', () => client.getChanges(ID, { fromIndex: 0, waitForSeconds: 0 } as never)],
    ['listEvents', () => client.listEvents(ID)],
    ['listSessions', () => client.listSessions()],
    ['getQuota', () => client.getQuota()],
  ];

  it('turn any 200 body into a typed value or a HaiApiError, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        reply = body;
        for (const [name, call] of calls) {
          try {
            await call();
          } catch (err) {
            if (!(err instanceof HaiApiError)) throw new Error(`${name} threw ${String(err)}`, { cause: err });
            expect(err.message.length).toBeGreaterThan(5);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
