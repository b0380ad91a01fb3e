// Shared plumbing for simulator tests: a started simulator, a tiny HTTP client, and waiting on conditions.
import { afterAll, beforeAll } from 'vitest';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/simulator/index';

export const KEY = 'hk-test';

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  // Tests read loosely shaped JSON; the assertions say what they expect.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface Client {
  sim: RunningSimulator;
  call(
    method: string,
    path: string,
    opts?: { body?: unknown; raw?: string; headers?: Record<string, string>; key?: string | null },
  ): Promise<Res>;
  create(body: Record<string, unknown>, headers?: Record<string, string>): Promise<Res>;
  /** Creates a session on h/web-surfer-flash with one message and returns its id. */
  start(message: string, extra?: Record<string, unknown>): Promise<string>;
  status(id: string): Promise<string>;
  waitForStatus(id: string, status: string | string[], timeoutMs?: number): Promise<void>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  events(id: string): Promise<any[]>;
}

/** Starts one simulator for the calling test file and closes it afterwards. */
export function useSimulator(opts: Partial<SimulatorOptions> = {}): Client {
  let sim: RunningSimulator | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ stepMs: 10, ...opts });
  });
  afterAll(async () => {
    await sim?.close();
  });
  return clientFor(() => {
    if (!sim) throw new Error('simulator not started');
    return sim;
  });
}

/** A simulator of a test's own (the caller closes it), for options that must differ at the same time. */
export async function startClient(opts: Partial<SimulatorOptions> = {}): Promise<Client> {
  const sim = await startSimulator({ stepMs: 10, ...opts });
  return clientFor(() => sim);
}

function clientFor(getSim: () => RunningSimulator): Client {
  const client: Client = {
    get sim() {
      return getSim();
    },
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      const key = opts.key === undefined ? KEY : opts.key;
      if (key !== null) headers.authorization = `Bearer ${key}`;
      let body: string | undefined = opts.raw;
      if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] = 'application/json';
      }
      const res = await fetch(`${client.sim.url}/api/v2${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, text, body: parsed };
    },
    create: (body, headers) => client.call('POST', '/sessions', { body, headers }),
    async start(message, extra = {}) {
      const res = await client.create({ agent: 'h/web-surfer-flash', messages: message, ...extra });
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
      return res.body.id as string;
    },
    async status(id) {
      const res = await client.call('GET', `/sessions/${id}/status`);
      return res.body.status as string;
    },
    async waitForStatus(id, status, timeoutMs = 3000) {
      const wanted = Array.isArray(status) ? status : [status];
      let last = '';
      await waitFor(
        async () => wanted.includes((last = await client.status(id))),
        timeoutMs,
        () => `status ${last}, wanted ${wanted.join('|')}`,
      );
    },
    async events(id) {
      const res = await client.call('GET', `/sessions/${id}/events?size=200`);
      return res.body.items;
    },
  };
  return client;
}

/** Polls `check` until it holds, failing with `describe()` after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 3000,
  describe = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** "Type" or "AgentEvent:kind", for asserting event sequences. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function label(e: any): string {
  return e.type === 'AgentEvent' ? `AgentEvent:${e.data.kind}` : e.type;
}
