// A read-only stub of the agents catalog (§2.13): enough for clients that look an agent up before using it.
import { CATALOG, agentNotFound, findAgent } from '../catalog';
import { HttpError, detail, json } from '../http';
import { QueryReader } from '../query';
import type { Ctx, Route } from './context';

function listAgents(ctx: Ctx) {
  const q = new QueryReader(ctx.query);
  const page = q.int('page', 1, { min: 1 });
  const size = q.int('size', 10, { min: 1, max: 100 });
  const name = q.string('agent_name');
  const search = q.string('search')?.toLowerCase();
  q.bool('resolve', false);
  q.done();
  const matches = CATALOG.filter(
    (a) =>
      (name === undefined || a.name === name) &&
      (search === undefined || `${String(a.name)} ${String(a.description)}`.toLowerCase().includes(search)),
  );
  return json(200, { items: matches.slice((page - 1) * size, page * size), page, total: matches.length });
}

function getAgent(ctx: Ctx) {
  const name = ctx.params.name ?? '';
  const agent = findAgent(name);
  if (!agent) throw new HttpError(detail(404, agentNotFound(name)));
  return json(200, agent);
}

export const agentRoutes: Route[] = [
  { method: 'GET', path: '/agents', handler: listAgents },
  { method: 'GET', path: '/agents/{name*}', handler: getAgent },
];
