// Builders for the event payloads of hai-api.md §5, so the state machine reads as a list of what happened.
import type { Json, JsonObject, Outcome, ToolRequest } from './model';

export interface EventSpec {
  type: string;
  data: JsonObject;
}

const agentEvent = (data: JsonObject): EventSpec => ({ type: 'AgentEvent', data });

export const ev = {
  requestStart: (): EventSpec => ({ type: 'RequestStartEvent', data: {} }),
  dispatched: (): EventSpec => ({ type: 'RequestStartDispatchedEvent', data: { status: 'dispatched' } }),
  agentStarted: (): EventSpec => ({ type: 'AgentStartedEvent', data: {} }),
  activeState: (state: 'running' | 'idle' | 'awaiting_tool_results', pending?: ToolRequest[]): EventSpec => ({
    type: 'ActiveStateChangeEvent',
    data: pending ? { state, pending_tool_calls: pending } : { state },
  }),
  runStatus: (status: 'running' | 'paused'): EventSpec => ({ type: 'AgentRunStatusChangeEvent', data: { status } }),
  completion: (reason: 'finished' | 'stopped' | 'timed_out'): EventSpec => ({
    type: 'AgentCompletionEvent',
    data: { reason },
  }),
  error: (error: string, code: string): EventSpec => ({
    type: 'AgentErrorEvent',
    data: { error, trace: '', info: { error_code: code } },
  }),
  metrics: (metrics: JsonObject): EventSpec => ({ type: 'MetricsUpdateEvent', data: { metrics } }),
  userMessage: (text: string, images: string[]): EventSpec =>
    agentEvent({ kind: 'message_event', caller_id: 'user', content: [text, ...images.map(imageContent)] }),
  policy: (content: string, toolReqs: ToolRequest[]): EventSpec =>
    agentEvent({
      kind: 'policy_event',
      reasoning_content: null,
      content,
      tool_reqs: toolReqs,
      validation_errors: [],
    }),
  toolResult: (toolReq: ToolRequest, result: Json): EventSpec =>
    agentEvent({ kind: 'tool_result', tool_req: toolReq, result, truncated: false }),
  toolError: (toolReq: ToolRequest, error: string, origin: string): EventSpec =>
    agentEvent({ kind: 'error_event', error, origin, tool_req: toolReq }),
  answer: (answer: Json, outcome: Outcome | null): EventSpec => agentEvent({ kind: 'answer_event', answer, outcome }),
  flow: (flow: 'pause' | 'resume' | 'force_answer', origin = 'user'): EventSpec =>
    agentEvent({ kind: 'flow_event', flow, origin }),
};

function imageContent(source: string): JsonObject {
  return { source, type: source.startsWith('data:') ? 'base64' : 'url' };
}
