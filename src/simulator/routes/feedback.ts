// Feedback and sharing (§2.12): accepted and recorded only as far as the other routes need (share → public reads).
import { empty, json, notFound } from '../http';
import { feedbackSchema } from '../schemas';
import { parseWith } from '../validation';
import { type Ctx, type Route, jsonBody, ownedSession } from './context';

function eventFeedback(ctx: Ctx) {
  parseWith(feedbackSchema, jsonBody(ctx));
  const { session } = ownedSession(ctx);
  if (Number(ctx.params.event_index) >= session.events.length) throw notFound('Event not found');
  return empty(204);
}

export const feedbackRoutes: Route[] = [
  {
    method: 'POST',
    path: '/sessions/{id}/feedback',
    handler: (ctx) => {
      parseWith(feedbackSchema, jsonBody(ctx));
      ownedSession(ctx);
      return empty(204);
    },
  },
  { method: 'PUT', path: '/sessions/{id}/events/{event_index}/feedback', handler: eventFeedback },
  {
    method: 'POST',
    path: '/sessions/{id}/share',
    handler: (ctx) => {
      const { session } = ownedSession(ctx);
      session.shared = true;
      return json(200, { share_url: `/share/api/v1/trajectories/${session.id}` });
    },
  },
  {
    method: 'DELETE',
    path: '/sessions/{id}/share',
    handler: (ctx) => {
      ownedSession(ctx).session.shared = false;
      return empty(204);
    },
  },
];
