// GET /sessions/{id}/changes, the long-poll, exactly as hai-api.md §4 describes it.
import { empty, json } from '../http';
import type { Json } from '../model';
import { QueryReader } from '../query';
import { type Ctx, type Route, readableSession } from './context';

async function getChanges(ctx: Ctx) {
  const { options, polls } = ctx.app;
  const q = new QueryReader(ctx.query);
  const fromIndex = Math.max(0, q.int('from_index', 0));
  const limit = q.optionalInt('limit', { min: 0 });
  const includeEvents = q.bool('include_events', true);
  const waitS = q.int('wait_for_seconds', 0, { min: 0, max: options.maxWaitForSeconds });
  q.done();
  // Access is checked before any waiting.
  const { session: s } = readableSession(ctx);
  ctx.app.stats.changesRequested(s.id, fromIndex);
  if (s.events.length <= fromIndex) await polls.wait(s, waitS * 1000, ctx.res);
  if (s.events.length <= fromIndex) return empty(204, { ETag: String(fromIndex) });

  const cap = Math.min(limit ?? Infinity, ctx.app.options.changesPageCap);
  const page = s.events.slice(fromIndex, fromIndex + cap);
  // The answer rides the page that delivers its answer_event; without events, every event counts.
  const seen = includeEvents ? fromIndex + page.length : s.events.length;
  const latest = s.answerUpTo(seen);
  const answer: Json =
    options.answerAsJsonString && latest.answer !== null && typeof latest.answer === 'object'
      ? JSON.stringify(latest.answer)
      : latest.answer;
  return json(200, {
    status: s.status,
    started_at: s.startedAt,
    finished_at: s.finishedAt,
    error: s.error,
    error_code: s.errorCode,
    new_events: includeEvents ? page : [],
    answer,
    outcome: latest.outcome,
    metrics: s.metrics(),
  });
}

export const changesRoutes: Route[] = [
  { method: 'GET', path: '/sessions/{id}/changes', handler: getChanges, publicWhenShared: true },
];
