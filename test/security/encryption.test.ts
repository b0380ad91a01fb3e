// Payload encryption end to end: what Temporal stores is ciphertext, rotated keys still decrypt, a missing or wrong
// key is named, a bad setting stops the worker at start, and the codec server decrypts for the Web UI only.
import { spawn } from 'node:child_process';
import proto from '@temporalio/proto';
const { temporal } = proto;
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionClient } from '../../src/client';
import { EncryptionCodec, KEY_ID_METADATA } from '../../src/security/encryption-codec';
import { parseEncryptionKeys } from '../../src/security/encryption-keys';
import { sim } from '../helpers/harness';
import { CLI } from '../helpers/worker-process';
import { type EncryptedWorld, newKey, startEncryptedWorld } from './encrypted-world';

const OLD = newKey('old');
const NEW = newKey('new');
const ROTATED = `${NEW},${OLD}`;
const TASK = 'Summarise the merger memo of Plaintext Industries';
const ANSWER = 'Plaintext Industries merges on Friday';

let world: EncryptedWorld;
beforeAll(async () => {
  world = await startEncryptedWorld(ROTATED);
});
afterAll(async () => {
  await world?.stop();
});

/** Everything Temporal stores for a workflow, as the bytes it keeps. */
async function storedBytes(client: SessionClient, workflowId: string): Promise<Buffer> {
  const history = await client.handle(workflowId).fetchHistory();
  const described = await client.describe(workflowId);
  return Buffer.concat([
    Buffer.from(temporal.api.history.v1.History.encode(history).finish()),
    Buffer.from(temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(described.raw).finish()),
  ]);
}

async function runSession(client: SessionClient, task: string) {
  const handle = await client.start({ task: sim({ steps: 2, answer: ANSWER }, task) });
  return { handle, result: await handle.result() };
}

describe('payload encryption', () => {
  it('stores no plaintext of the task, answer or summary in the history, while a client with the key reads the answer', async () => {
    const encrypted = world.client(ROTATED);
    const { handle, result } = await runSession(encrypted, TASK);
    expect(result).toMatchObject({ status: 'completed', answer: ANSWER });
    const stored = await storedBytes(encrypted, handle.workflowId);
    expect(stored.includes('Plaintext Industries')).toBe(false);
    expect(stored.includes('binary/encrypted')).toBe(true);

    // The same search finds the task in the input of a session started by a client without keys: the check can fail.
    const plainClient = world.client(undefined);
    const plain = await plainClient.start({ task: sim({ steps: 1, answer: ANSWER }, TASK) });
    expect((await storedBytes(plainClient, plain.workflowId)).includes('Plaintext Industries')).toBe(true);
  });

  it('decrypts payloads of a retired key id after rotation, and encrypts new ones with the first key', async () => {
    // Started by a client that only knows the old key; run by a worker holding the rotated list.
    const handle = await world.client(OLD).start({ task: sim({ steps: 2, answer: ANSWER }, 'rotation check') });
    expect((await world.client(ROTATED).handle(handle.workflowId).result()).answer).toBe(ANSWER);
    const history = await handle.fetchHistory();
    const keyIds = new Set<string>();
    for (const event of history.events ?? []) {
      const payloads = [
        ...(event.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
        ...(event.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
      ];
      for (const p of payloads) keyIds.add(Buffer.from(p.metadata?.[KEY_ID_METADATA] ?? []).toString());
    }
    expect(keyIds).toEqual(new Set(['old', 'new']));
    // A client without the new key is told which key id it lacks.
    await expect(world.client(OLD).handle(handle.workflowId).result()).rejects.toThrow(
      /key id "new": HAI_TEMPORAL_ENCRYPTION_KEYS lists only "old"/,
    );
  });

  it('names the key id when a client has no keys, or a different key under the same id', async () => {
    const { handle } = await runSession(world.client(NEW), 'missing key check');
    await expect(world.client(undefined).handle(handle.workflowId).result()).rejects.toThrow(
      /key id "new": HAI_TEMPORAL_ENCRYPTION_KEYS is not set/,
    );
    await expect(world.client(newKey('new')).handle(handle.workflowId).result()).rejects.toThrow(
      /key id "new": the key HAI_TEMPORAL_ENCRYPTION_KEYS gives for "new" is not the one/,
    );
  });
});

describe('HAI_TEMPORAL_ENCRYPTION_KEYS', () => {
  it.each([
    ['k1', /entry 1 must be id:base64-key/],
    ['k1:c2hvcnQ=', /entry 1 \(key id "k1"\) must be 32 bytes/],
    [`${NEW},${NEW}`, /entry 2 repeats key id "new"/],
    [`bad id:${OLD.split(':')[1]}`, /entry 1 has key id "bad id"/],
    [' , ', /lists no key/],
  ])('refuses %j with a message naming the variable', (raw, why) => {
    expect(() => parseEncryptionKeys(raw)).toThrow(why);
    expect(() => parseEncryptionKeys(raw)).toThrow(/HAI_TEMPORAL_ENCRYPTION_KEYS/);
  });

  it('never quotes key material in its errors', () => {
    const secret = Buffer.alloc(31, 7).toString('base64');
    expect(() => parseEncryptionKeys(`k:${secret}`)).toThrow(/32 bytes/);
    try {
      parseEncryptionKeys(`k:${secret}`);
    } catch (err) {
      expect((err as Error).message).not.toContain(secret);
    }
  });

  it('stops the worker at start, naming the variable', async () => {
    const out = await runCli(['worker'], { HAI_TEMPORAL_ENCRYPTION_KEYS: 'k1:not-a-key' });
    expect(out.code).not.toBe(0);
    expect(out.text).toMatch(/HAI_TEMPORAL_ENCRYPTION_KEYS: entry 1 \(key id "k1"\) must be 32 bytes/);
  });
});

describe('hai-temporal codec-server', () => {
  const UI = 'http://localhost:8233';
  let server: { url: string; stop(): void };
  beforeAll(async () => {
    server = await startCodecServerProcess({
      HAI_TEMPORAL_ENCRYPTION_KEYS: ROTATED,
      HAI_TEMPORAL_CODEC_ORIGIN: UI,
      HAI_TEMPORAL_CODEC_TOKEN: 'codec-token',
    });
  });
  afterAll(() => server?.stop());

  const post = (path: string, body: unknown, headers: Record<string, string>) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
      body: JSON.stringify(body),
    });

  it("decrypts a stored payload for the Web UI's origin, and refuses another origin and a wrong token", async () => {
    const { handle } = await runSession(world.client(ROTATED), TASK);
    const history = await handle.fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const wire = {
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(input?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(input?.data ?? []).toString('base64'),
        },
      ],
    };

    const preflight = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: UI, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);

    const decoded = await post('/decode', wire, { origin: UI, authorization: 'Bearer codec-token' });
    expect(decoded.status).toBe(200);
    expect(decoded.headers.get('access-control-allow-origin')).toBe(UI);
    const body = (await decoded.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(body.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(body.payloads[0]!.data, 'base64').toString())).toMatchObject({
      task: expect.stringContaining(TASK),
    });

    const otherOrigin = await post('/decode', wire, {
      origin: 'https://evil.example',
      authorization: 'Bearer codec-token',
    });
    expect(otherOrigin.status).toBe(403);
    expect(otherOrigin.headers.get('access-control-allow-origin')).toBeNull();
    expect(await otherOrigin.text()).not.toContain('Plaintext');
    const otherPreflight = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    });
    expect(otherPreflight.status).toBe(403);

    for (const authorization of ['Bearer wrong', '']) {
      const refused = await post('/decode', wire, { origin: UI, authorization });
      expect(refused.status).toBe(401);
      expect(await refused.text()).not.toContain('Plaintext');
    }
  });

  it('encodes with the first key, so /encode then /decode round-trips', async () => {
    const plain = {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from('"hi"').toString('base64'),
    };
    const auth = { authorization: 'Bearer codec-token' };
    const encoded = (await (await post('/encode', { payloads: [plain] }, auth)).json()) as {
      payloads: { metadata: Record<string, string> }[];
    };
    expect(Buffer.from(encoded.payloads[0]!.metadata[KEY_ID_METADATA]!, 'base64').toString()).toBe('new');
    const decoded = (await (await post('/decode', encoded, auth)).json()) as { payloads: unknown[] };
    expect(decoded.payloads[0]).toEqual(plain);
  });
});

it('a codec without keys passes plain payloads through unchanged', async () => {
  const payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('1') };
  const codec = new EncryptionCodec(undefined);
  expect(await codec.encode([payload])).toEqual([payload]);
  expect(await codec.decode([payload])).toEqual([payload]);
});

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.once('exit', (code) => resolve({ code, text }));
  });
}

function startCodecServerProcess(env: Record<string, string>): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [CLI, 'codec-server', '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`codec server did not start:\n${text}`)), 30_000);
    const onData = (d: Buffer) => {
      text += d;
      const url = /codec server on (http:\/\/\S+)/.exec(text)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ url, stop: () => child.kill('SIGTERM') });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`codec server exited with ${code}:\n${text}`));
    });
  });
}
