// The HTTP front: admin routes, then for /api/v2 the gateway's work (faults, body limit, auth) before the route.
// Every request ends in exactly one reply or a deliberate socket reset; nothing a client sends can crash it.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { handleAdmin } from './admin';
import { AGENT_VIEW_PREFIX, serveAgentView } from './agent-view';
import type { App } from './app';
import { type FaultPlan, NO_FAULTS, truncate } from './faults';
import { BodyTooLargeError, HttpError, type Reply, detail, json, readBody } from './http';
import type { SimulatorOptions } from './options';
import { type Ctx, routeName } from './routes/context';
import { checkPathParams, matchRoute, type RouteMatch } from './routes/index';
import { jsonFrom, validationError } from './validation';

const API_PREFIX = '/api/v2';
const UNAUTHORIZED: Reply = json(401, { message: 'Unauthorized' }, { 'WWW-Authenticate': 'Bearer' });
const UNSUPPORTED_MEDIA_TYPE: Reply = detail(
  415,
  'Unsupported Media Type: send JSON with Content-Type: application/json',
);

/** `application/json` (any parameters) or a `+json` type: anything else, or no type at all, is not read as JSON. */
const isJson = (type: string | undefined): boolean =>
  !!type && /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type.trim());

export function createSimulatorServer(app: App): Server {
  return createServer((req, res) => {
    handle(app, req, res).catch((err: unknown) => {
      console.error('simulator: internal error', err);
      if (!res.headersSent && !res.destroyed) send(app, res, detail(500, 'internal simulator error'), NO_FAULTS);
      else res.destroy();
    });
  });
}

async function handle(app: App, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (path.startsWith('/_simulator/')) return serveAdmin(app, req, res, method, path);
  if (path.startsWith(AGENT_VIEW_PREFIX)) return serveAgentView(app, res, path.slice(AGENT_VIEW_PREFIX.length));
  if (path !== API_PREFIX && !path.startsWith(`${API_PREFIX}/`)) {
    send(app, res, detail(404, 'Not Found'), NO_FAULTS);
    return;
  }
  const match = matchRoute(method, path.slice(API_PREFIX.length));
  // Unknown API paths are counted under one name, and never get faults.
  const name = match.kind === 'found' ? routeName(match.route) : 'unmatched';
  app.stats.request(name);
  const plan = match.kind === 'found' ? app.takeFaults(name) : NO_FAULTS;
  const delay = once(() => sleep(plan.latencyMs));
  const reply = await answer(app, req, res, url, match, plan, delay);
  if (reply === undefined) return;
  await delay();
  send(app, res, reply, plan);
}

async function serveAdmin(app: App, req: IncomingMessage, res: ServerResponse, method: string, path: string) {
  // With --api-key set, the admin routes (faults, options, stats) need that key as well.
  if (app.options.apiKey !== undefined && authenticate(app.options, req.headers.authorization) === null) {
    req.resume();
    return send(app, res, UNAUTHORIZED, NO_FAULTS);
  }
  const body = await readLimited(app, req);
  if (body === undefined) return;
  const reply = Buffer.isBuffer(body) ? catchReply(() => handleAdmin(app, method, path, () => jsonFrom(body))) : body;
  send(app, res, reply, NO_FAULTS);
}

/** The reply to an API request; undefined when the client went away mid-body. */
async function answer(
  app: App,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  match: RouteMatch,
  plan: FaultPlan,
  delay: () => Promise<void>,
): Promise<Reply | undefined> {
  if (plan.rejectStatus !== undefined) {
    app.stats.faultInjected();
    return plan.rejectStatus === 429
      ? detail(429, 'Too Many Requests (simulated fault)', { 'Retry-After': String(app.options.faults.retryAfterS) })
      : detail(
          plan.rejectStatus,
          'Simulated fault',
          app.options.faults.errorRetryAfterS === undefined
            ? undefined
            : { 'Retry-After': String(app.options.faults.errorRetryAfterS) },
        );
  }
  const rawBody = await readLimited(app, req);
  if (!Buffer.isBuffer(rawBody)) return rawBody;
  const owner = authenticate(app.options, req.headers.authorization);
  if (match.kind !== 'found') {
    if (owner === null) return UNAUTHORIZED;
    return match.kind === 'method_not_allowed' ? detail(405, 'Method Not Allowed') : detail(404, 'Not Found');
  }
  const { route, params } = match;
  const issues = checkPathParams(params);
  // Shared sessions are readable without a key (§1); everything else needs one, checked before validation.
  const sharedRead =
    route.publicWhenShared && issues.length === 0 && app.store.getShared(params.id ?? '') !== undefined;
  if (owner === null && !sharedRead) return UNAUTHORIZED;
  if (rawBody.length > 0 && !isJson(req.headers['content-type'])) return UNSUPPORTED_MEDIA_TYPE;
  if (issues.length > 0) return validationError(issues).reply;
  const ctx: Ctx = { req, res, app, owner, params, query: url.searchParams, rawBody, delay };
  if (!route.ownLatency) await delay();
  try {
    return await route.handler(ctx);
  } catch (err) {
    if (err instanceof HttpError) return err.reply;
    throw err;
  }
}

/** `Bearer <key>`: with `apiKey` set only that key, otherwise any non-empty key (each key its own tenant). */
function authenticate(options: SimulatorOptions, header: string | undefined): string | null {
  const key = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
  if (!key) return null;
  return options.apiKey === undefined || key === options.apiKey ? key : null;
}

function send(app: App, res: ServerResponse, reply: Reply, plan: FaultPlan): void {
  if (res.destroyed || res.writableEnded) return;
  if (plan.drop) {
    app.stats.faultInjected();
    res.req.socket.destroy();
    return;
  }
  const headers: Record<string, string> = { ...reply.headers };
  let text = '';
  if (reply.body !== undefined) {
    text = JSON.stringify(reply.body);
    if (reply.status === 200 && Math.random() < plan.malformedRate) {
      app.stats.faultInjected();
      text = truncate(text);
    }
    headers['Content-Type'] = 'application/json';
  }
  if (reply.status !== 204) headers['Content-Length'] = String(Buffer.byteLength(text));
  res.writeHead(reply.status, headers);
  res.end(reply.status === 204 ? undefined : text);
}

/** The body, a 413 reply past the limit, or undefined when the client went away. */
async function readLimited(app: App, req: IncomingMessage): Promise<Buffer | Reply | undefined> {
  try {
    return await readBody(req, app.options.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      return detail(413, `Request body exceeds ${app.options.maxBodyBytes} bytes`, { Connection: 'close' });
    }
    return undefined;
  }
}

function catchReply(run: () => Reply): Reply {
  try {
    return run();
  } catch (err) {
    if (err instanceof HttpError) return err.reply;
    throw err;
  }
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms).unref()) : Promise.resolve();
}

function once(run: () => Promise<void>): () => Promise<void> {
  let promise: Promise<void> | undefined;
  return () => (promise ??= run());
}
