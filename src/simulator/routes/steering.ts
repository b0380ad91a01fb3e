// Steering a live session: messages, custom tool results, pause / resume / force_answer (§2.7–§2.9).
import type { ControlResult, ToolSubmission } from '../agent';
import { HttpError, detail, empty } from '../http';
import { isTerminal } from '../model';
import { messagesBodySchema, toUserMessages, toolResultSingleSchema, toolResultsBatchSchema } from '../schemas';
import { ConcurrencyLimitError, type Entry } from '../store';
import { type ValidationIssue, parseWith, validationError } from '../validation';
import { type Ctx, type Route, jsonBody, ownedSession } from './context';

function postMessages(ctx: Ctx) {
  const body = parseWith(messagesBodySchema, jsonBody(ctx));
  const messages = toUserMessages(body.type === 'batch' ? body.messages : body);
  const entry = ownedSession(ctx);
  const { session } = entry;
  if (!isTerminal(session.status)) {
    entry.agent.message(messages);
    return empty(202);
  }
  if (ctx.app.options.messageToTerminal === 'reject') {
    throw new HttpError(detail(409, `Session is ${session.status}; it cannot accept messages`));
  }
  try {
    ctx.app.store.restart(entry, messages);
  } catch (err) {
    if (err instanceof ConcurrencyLimitError) throw new HttpError(detail(429, err.message));
    throw err;
  }
  return empty(202);
}

function postToolResults(ctx: Ctx) {
  const raw = jsonBody(ctx);
  const isBatch = typeof raw === 'object' && raw !== null && 'type' in raw;
  const submissions: ToolSubmission[] = isBatch
    ? parseWith(toolResultsBatchSchema, raw).results
    : [parseWith(toolResultSingleSchema, raw)];
  const entry = ownedSession(ctx);
  if (isTerminal(entry.session.status)) throw new HttpError(detail(409, 'The session already finished'));
  const pending = entry.agent.pendingToolIds;
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  submissions.forEach((s, i) => {
    const id = s.tool_req.id;
    if (!pending.has(id) || seen.has(id)) {
      issues.push({
        type: 'value_error',
        loc: isBatch ? ['body', 'results', i, 'tool_req', 'id'] : ['body', 'tool_req', 'id'],
        msg: `Value error, no pending tool call with id '${id}'`,
        input: id,
      });
    }
    seen.add(id);
  });
  if (issues.length > 0) throw validationError(issues);
  entry.agent.submitToolResults(submissions);
  return empty(202);
}

/** pause / resume / force_answer: 202, or a 409 on states the `controlOnInactive` GUESS option rejects. */
function control(verb: string, run: (entry: Entry) => ControlResult) {
  return (ctx: Ctx) => {
    const entry = ownedSession(ctx);
    const result = run(entry);
    if (result === 'inactive' && ctx.app.options.controlOnInactive === 'reject') {
      throw new HttpError(detail(409, `Cannot ${verb} a session that is ${entry.session.status}`));
    }
    return empty(202);
  };
}

export const steeringRoutes: Route[] = [
  { method: 'POST', path: '/sessions/{id}/messages', handler: postMessages },
  { method: 'POST', path: '/sessions/{id}/tool_results', handler: postToolResults },
  { method: 'POST', path: '/sessions/{id}/pause', handler: control('pause', (e) => e.agent.pause()) },
  { method: 'POST', path: '/sessions/{id}/resume', handler: control('resume', (e) => e.agent.resume()) },
  {
    method: 'POST',
    path: '/sessions/{id}/force_answer',
    handler: control('force_answer', (e) => e.agent.forceAnswer()),
  },
];
