// What a hostile probe found in the simulator: admin routes open despite --api-key, non-JSON bodies read as JSON,
// and a 500 for absurd nesting. Each is answered as the contract's server would, and the simulator keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator';

const KEY = 'hk-admin-test';
let locked: RunningSimulator;
let open: RunningSimulator;
beforeAll(async () => {
  [locked, open] = await Promise.all([startSimulator({ stepMs: 10, apiKey: KEY }), startSimulator({ stepMs: 10 })]);
});
afterAll(async () => {
  await Promise.all([locked?.close(), open?.close()]);
});

const auth = (key = KEY) => ({ authorization: `Bearer ${key}` });
const createBody = JSON.stringify({ agent: 'h/web-surfer-flash', messages: [{ message: 'hello' }] });
const create = (headers: Record<string, string>, body = createBody) =>
  fetch(`${locked.url}/api/v2/sessions`, { method: 'POST', headers: { ...auth(), ...headers }, body });

describe('admin routes', () => {
  it('require the API key when the simulator has one', async () => {
    for (const [method, path] of [
      ['GET', 'stats'],
      ['PUT', 'faults'],
      ['PUT', 'options'],
      ['POST', 'reset-faults'],
    ] as const) {
      const init = {
        method,
        headers: { 'content-type': 'application/json' },
        ...(method === 'PUT' ? { body: '{}' } : {}),
      };
      expect((await fetch(`${locked.url}/_simulator/${path}`, init)).status, `${method} ${path}`).toBe(401);
      const wrong = { ...init, headers: { ...init.headers, ...auth('hk-wrong') } };
      expect((await fetch(`${locked.url}/_simulator/${path}`, wrong)).status, `${method} ${path}`).toBe(401);
      const right = { ...init, headers: { ...init.headers, ...auth() } };
      expect((await fetch(`${locked.url}/_simulator/${path}`, right)).status, `${method} ${path}`).toBe(200);
    }
    // A faults change refused for lack of the key changed nothing.
    await fetch(`${locked.url}/_simulator/faults`, { method: 'PUT', body: JSON.stringify({ errorRate: 1 }) });
    expect((await create({ 'content-type': 'application/json' })).status).toBe(201);
  });

  it('stay open without a configured key', async () => {
    expect((await fetch(`${open.url}/_simulator/stats`)).status).toBe(200);
  });
});

describe('request bodies', () => {
  it('answer 415 to text/plain and to a body without a Content-Type', async () => {
    const plain = await create({ 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    expect(await plain.json()).toEqual({ detail: expect.stringMatching(/Unsupported Media Type/) });
    const bare = await fetch(`${locked.url}/api/v2/sessions`, {
      method: 'POST',
      headers: auth(),
      body: new Blob([createBody]), // no type: fetch sends no Content-Type
    });
    expect(bare.status).toBe(415);
    expect((await create({ 'content-type': 'application/json; charset=utf-8' })).status).toBe(201);
    expect((await create({ 'content-type': 'application/vnd.api+json' })).status).toBe(201);
  });

  it('still accept bodiless calls', async () => {
    const created = (await (await create({ 'content-type': 'application/json' })).json()) as { id: string };
    const pause = await fetch(`${locked.url}/api/v2/sessions/${created.id}/pause`, { method: 'POST', headers: auth() });
    expect(pause.status).not.toBe(415);
  });

  it.each([
    ['arrays', '['.repeat(200_000) + ']'.repeat(200_000)],
    ['objects', '{"a":'.repeat(200_000) + '1' + '}'.repeat(200_000)],
    [
      'a field of a message',
      `{"agent":"h/web-surfer-flash","messages":[{"message":"x","x":${'['.repeat(200_000)}${']'.repeat(200_000)}}]}`,
    ],
  ])('answer 422, not 500, to 200,000 levels of nested %s, and keep serving', async (_what, body) => {
    const res = await create({ 'content-type': 'application/json' }, body);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      detail: [{ type: 'json_invalid', msg: 'JSON nested deeper than 512 levels' }],
    });
    expect((await create({ 'content-type': 'application/json' })).status).toBe(201);
  });

  it('reads strings holding brackets as text, not nesting', async () => {
    const message = '['.repeat(10_000);
    const res = await create(
      { 'content-type': 'application/json' },
      JSON.stringify({ agent: 'h/web-surfer-flash', messages: [{ message }] }),
    );
    expect(res.status).toBe(201);
  });
});
