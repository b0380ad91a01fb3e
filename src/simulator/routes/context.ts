// What a route handler gets, and the helpers most handlers share.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../app';
import { HttpError, type Reply, notFound } from '../http';
import type { Entry } from '../store';
import { jsonFrom } from '../validation';

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  app: App;
  /** The caller's API key; null for an unauthenticated read of a shared session. */
  owner: string | null;
  params: Record<string, string>;
  query: URLSearchParams;
  rawBody: Buffer;
  /** Waits out the injected latency; handlers with `ownLatency` call it at the moment that matters to them. */
  delay(): Promise<void>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to /api/v2; `{x}` matches one segment, `{x*}` the rest of the path. */
  path: string;
  handler(ctx: Ctx): Reply | Promise<Reply>;
  /** Readable without auth once the session is shared (§1). */
  publicWhenShared?: boolean;
  ownLatency?: boolean;
}

export function routeName(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path.replace('*}', '}')}`;
}

/** The request body as JSON, or a FastAPI-shaped 422. */
export function jsonBody(ctx: Ctx): unknown {
  return jsonFrom(ctx.rawBody);
}

/** The `{id}` session for a read: the caller's own, or any shared one. */
export function readableSession(ctx: Ctx): Entry {
  const id = ctx.params.id ?? '';
  const entry = (ctx.owner === null ? undefined : ctx.app.store.get(ctx.owner, id)) ?? ctx.app.store.getShared(id);
  if (!entry) throw notFound('Session not found');
  return entry;
}

/** The `{id}` session for a write or steering call: the caller's own only. */
export function ownedSession(ctx: Ctx): Entry {
  const entry = ctx.owner === null ? undefined : ctx.app.store.get(ctx.owner, ctx.params.id ?? '');
  if (!entry) throw notFound('Session not found');
  return entry;
}

/** The caller's API key, for routes that only authenticated callers reach. */
export function ownerOf(ctx: Ctx): string {
  if (ctx.owner === null) throw new HttpError({ status: 401, body: { message: 'Unauthorized' } });
  return ctx.owner;
}
