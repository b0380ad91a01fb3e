// Session lifecycle routes: create (with idempotency and quota), list, quota, get, status, cancel (§2.1–§2.6).
import { randomUUID } from 'node:crypto';
import { DEFAULT_MODEL, agentNotFound, findAgent } from '../catalog';
import { HttpError, detail, empty, json } from '../http';
import { fingerprint } from '../idempotency';
import type { Json, JsonObject, SessionStatusValue } from '../model';
import { QueryReader } from '../query';
import { type CreateSessionBody, createSessionSchema, toUserMessages } from '../schemas';
import type { SessionSetup } from '../session';
import { ConcurrencyLimitError } from '../store';
import { parseWith, validationError } from '../validation';
import { type Ctx, type Route, jsonBody, ownedSession, ownerOf, readableSession } from './context';

const STATUSES: readonly SessionStatusValue[] = [
  'queued',
  'pending',
  'running',
  'paused',
  'idle',
  'awaiting_tool_results',
  'completed',
  'failed',
  'timed_out',
  'interrupted',
];
const DELETE_AFTER_MIN_DEFAULT = 43200;

function idempotencyKey(ctx: Ctx): string | undefined {
  const raw = ctx.req.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = (Array.isArray(raw) ? raw.join(',') : raw).trim();
  if (key.length >= 1 && key.length <= 255) return key;
  const tooShort = key.length === 0;
  throw validationError([
    {
      type: tooShort ? 'string_too_short' : 'string_too_long',
      loc: ['header', 'idempotency-key'],
      msg: tooShort ? 'String should have at least 1 character' : 'String should have at most 255 characters',
      input: key,
      ctx: tooShort ? { min_length: 1 } : { max_length: 255 },
    },
  ]);
}

function setupFor(owner: string, body: CreateSessionBody): SessionSetup {
  const agent = body.agent;
  const catalogAgent = typeof agent === 'string' ? findAgent(agent) : undefined;
  if (typeof agent === 'string' && !catalogAgent) throw new HttpError(detail(404, agentNotFound(agent)));
  const inline = typeof agent === 'string' ? undefined : agent;
  const overrides = body.overrides ?? {};
  const answerFormat =
    (overrides['agent.answer_format'] as JsonObject | null | undefined) ??
    inline?.answer_format ??
    body.answer_format ??
    null;
  const messages = toUserMessages(body.messages);
  const request: JsonObject = {
    agent: agent as Json,
    messages,
    max_steps: body.max_steps ?? null,
    max_time_s: body.max_time_s ?? null,
    idle_timeout_s: body.idle_timeout_s ?? null,
    delete_after_min: body.delete_after_min === undefined ? DELETE_AFTER_MIN_DEFAULT : body.delete_after_min,
    delete_screenshot_after_min:
      body.delete_screenshot_after_min === undefined ? DELETE_AFTER_MIN_DEFAULT : body.delete_screenshot_after_min,
    queue: body.queue ?? true,
    group_id: body.group_id ?? null,
    parent_session_id: body.parent_session_id ?? null,
    overrides,
  };
  if (body.answer_format !== undefined) request.answer_format = body.answer_format;
  return {
    id: randomUUID(),
    owner,
    request,
    agentName: typeof agent === 'string' ? agent : agent.name,
    model: (catalogAgent?.model as string | undefined) ?? inline?.model ?? DEFAULT_MODEL,
    answerFormat,
    maxSteps: body.max_steps ?? null,
    maxTimeS: body.max_time_s ?? null,
    idleTimeoutS: body.idle_timeout_s ?? null,
    queueOnLimit: body.queue ?? true,
    groupId: body.group_id ?? null,
    parentSessionId: body.parent_session_id ?? null,
    messages,
  };
}

async function createSession(ctx: Ctx) {
  const owner = ownerOf(ctx);
  const key = idempotencyKey(ctx);
  const raw = jsonBody(ctx);
  const body = parseWith(createSessionSchema, raw);
  const { idempotency, store, stats } = ctx.app;
  if (key !== undefined) {
    const claim = idempotency.claim(owner, key, fingerprint(raw));
    if (claim.kind === 'inflight') {
      await ctx.delay();
      return detail(409, 'Idempotency-Key request in flight; retry shortly', { 'Retry-After': '2' });
    }
    if (claim.kind === 'conflict') {
      await ctx.delay();
      throw validationError([
        {
          type: 'idempotency_key_conflict',
          loc: ['header', 'idempotency-key'],
          msg: 'Idempotency-Key was already used with a different request body',
          input: key,
        },
      ]);
    }
    if (claim.kind === 'replay') {
      await ctx.delay();
      const original = store.get(owner, claim.sessionId);
      if (original) return json(201, original.session.sessionView(ctx.app.origin));
    }
  }
  try {
    // The key is in flight for as long as the injected latency lasts, so 409s are observable.
    await ctx.delay();
    const entry = store.create(setupFor(owner, body));
    if (key !== undefined) idempotency.complete(owner, key, entry.session.id);
    stats.sessionCreated(key);
    return json(201, entry.session.sessionView(ctx.app.origin));
  } catch (err) {
    if (key !== undefined) idempotency.release(owner, key);
    if (err instanceof ConcurrencyLimitError) throw new HttpError(detail(429, err.message));
    throw err;
  }
}

function listSessions(ctx: Ctx) {
  const q = new QueryReader(ctx.query);
  const page = q.int('page', 1, { min: 1 });
  const size = q.int('size', 10, { min: 1, max: 100 });
  const sort = q.list('sort', ['created_at', '-created_at'] as const);
  q.oneOf('owner', ['me', 'me-in-organization', 'organization', 'me-or-organization'] as const);
  const statuses = q.list('status', STATUSES);
  const agents = ctx.query.getAll('agent');
  const groupId = q.string('group_id');
  const parentId = q.string('parent_session_id');
  const search = q.string('search')?.toLowerCase();
  const createdBefore = q.date('created_before');
  const createdAfter = q.date('created_after');
  const finishedBefore = q.date('finished_before');
  const finishedAfter = q.date('finished_after');
  q.done();
  const time = (iso: string | null): number => (iso === null ? NaN : Date.parse(iso));
  const matches = ctx.app.store.list(ownerOf(ctx)).filter(({ session: s }) => {
    const { setup } = s;
    if (statuses.length > 0 && !statuses.includes(s.status)) return false;
    if (agents.length > 0 && (typeof setup.request.agent !== 'string' || !agents.includes(setup.request.agent)))
      return false;
    if (groupId !== undefined && setup.groupId !== groupId) return false;
    if (parentId !== undefined && setup.parentSessionId !== parentId) return false;
    if (createdBefore !== undefined && !(s.createdMs < createdBefore)) return false;
    if (createdAfter !== undefined && !(s.createdMs > createdAfter)) return false;
    if (finishedBefore !== undefined && !(time(s.finishedAt) < finishedBefore)) return false;
    if (finishedAfter !== undefined && !(time(s.finishedAt) > finishedAfter)) return false;
    if (search !== undefined) {
      const answer = s.latestAnswer;
      const answerText = answer === null ? '' : typeof answer === 'string' ? answer : JSON.stringify(answer);
      const haystack = `${setup.messages[0]?.message ?? ''}\n${answerText}`.toLowerCase();
      if (!haystack.includes(search)) return false;
    }
    return true;
  });
  // Creation order is ascending; the default sort is newest first.
  const ordered = sort.at(-1) === 'created_at' ? matches : [...matches].reverse();
  const items = ordered.slice((page - 1) * size, page * size).map((e) => e.session.summaryView(ctx.app.origin));
  return json(200, { items, page, total: matches.length });
}

export const sessionRoutes: Route[] = [
  { method: 'POST', path: '/sessions', handler: createSession, ownLatency: true },
  { method: 'GET', path: '/sessions', handler: listSessions },
  { method: 'GET', path: '/sessions/quota', handler: (ctx) => json(200, { ...ctx.app.store.quota(ownerOf(ctx)) }) },
  {
    method: 'GET',
    path: '/sessions/{id}',
    handler: (ctx) => json(200, readableSession(ctx).session.sessionView(ctx.app.origin)),
    publicWhenShared: true,
  },
  {
    method: 'GET',
    path: '/sessions/{id}/status',
    handler: (ctx) => json(200, readableSession(ctx).session.statusView()),
    publicWhenShared: true,
  },
  {
    method: 'DELETE',
    path: '/sessions/{id}',
    handler: (ctx) => {
      // Terminal sessions: 204 and no change (GUESS, "idempotent in effect").
      ownedSession(ctx).agent.cancel();
      return empty(204);
    },
  },
];
