// Builds the platform's create body (snake_case, hai-api.md §2.1) from the workflow's input.
import type { SessionRequest } from '../hai/schemas';
import type { ValidSessionInput } from '../shared/input';
import type { ToolDefinition } from '../tools/registry';

export function buildSessionRequest(input: ValidSessionInput, tools?: ToolDefinition[]): SessionRequest {
  const overrides: Record<string, unknown> = { ...input.overrides };
  if (input.answerSchema) {
    // The platform resolves the answer model by its title; the SDKs default it to "Answer".
    overrides['agent.answer_format'] = { title: 'Answer', ...input.answerSchema };
  }
  if (tools) overrides['agent.tools'] = tools;
  const messages =
    input.task !== undefined
      ? [{ type: 'user_message' as const, message: input.task }]
      : (input.messages ?? []).map((m) => ({ type: 'user_message' as const, ...m }));
  const body: SessionRequest = { agent: input.agent as SessionRequest['agent'], messages };
  if (input.maxSteps !== undefined) body.max_steps = input.maxSteps;
  if (input.maxTimeS !== undefined) body.max_time_s = input.maxTimeS;
  if (input.idleTimeoutS !== undefined) body.idle_timeout_s = input.idleTimeoutS;
  if (input.groupId !== undefined) body.group_id = input.groupId;
  if (input.parentSessionId !== undefined) body.parent_session_id = input.parentSessionId;
  if (input.queue !== undefined) body.queue = input.queue;
  if (Object.keys(overrides).length > 0) body.overrides = overrides;
  return body;
}
