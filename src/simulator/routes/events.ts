// GET /sessions/{id}/events: the paginated history (§2.11).
import { json } from '../http';
import { QueryReader } from '../query';
import { type Ctx, type Route, readableSession } from './context';

function listEvents(ctx: Ctx) {
  const q = new QueryReader(ctx.query);
  const page = q.int('page', 1, { min: 1 });
  const size = q.int('size', 50, { min: 1, max: ctx.app.options.eventsPageMax });
  const sort = q.list('sort', ['timestamp', '-timestamp'] as const);
  const type = q.string('type');
  q.done();
  const { session } = readableSession(ctx);
  // Events are stored in (timestamp, index) order already.
  const matching = type === undefined ? session.events : session.events.filter((e) => e.type === type);
  const ordered = sort.at(-1) === '-timestamp' ? [...matching].reverse() : matching;
  return json(200, { items: ordered.slice((page - 1) * size, page * size), page, total: matching.length });
}

export const eventRoutes: Route[] = [
  { method: 'GET', path: '/sessions/{id}/events', handler: listEvents, publicWhenShared: true },
];
