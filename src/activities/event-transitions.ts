// Reads the transitions out of a page of platform events (hai-api.md §5). Steps, observations and
// metrics are not transitions: a session's workflow history grows with its transitions only.
import type { SessionEvent, ToolRequest } from '../hai/schemas';
import { parseAnswer } from '../hai/schemas';
import type { Transition } from '../shared/session';

export interface AnswerEvent {
  eventIndex: number;
  answer: unknown;
  outcome: string | null;
}

export interface PageReading {
  transitions: Transition[];
  answers: AnswerEvent[];
  /** Tool calls of the latest ActiveStateChangeEvent that asked for some, if any. */
  pendingToolCalls: ToolRequest[] | null;
  lastEvent: string | null;
}

const COMPLETION_STATUS: Record<string, string> = {
  finished: 'completed',
  stopped: 'interrupted',
  timed_out: 'timed_out',
};
const MAX_DETAIL = 200;

const record = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, MAX_DETAIL) : undefined);

export function readEvents(events: SessionEvent[], firstIndex: number): PageReading {
  const reading: PageReading = { transitions: [], answers: [], pendingToolCalls: null, lastEvent: null };
  events.forEach((event, offset) => {
    const eventIndex = firstIndex + offset;
    const data = record(event.data);
    const at = typeof event.timestamp === 'string' ? event.timestamp : '';
    const add = (t: Omit<Transition, 'at' | 'eventIndex'>) => reading.transitions.push({ at, eventIndex, ...t });
    reading.lastEvent = typeof data.kind === 'string' ? `${event.type}:${data.kind}` : event.type;

    switch (event.type) {
      case 'AgentStartedEvent':
        return add({ kind: 'status', status: 'running', detail: 'agent started' });
      case 'AgentRunStatusChangeEvent':
        return add({ kind: 'status', status: text(data.status) });
      case 'ActiveStateChangeEvent': {
        const calls = Array.isArray(data.pending_tool_calls) ? (data.pending_tool_calls as ToolRequest[]) : [];
        if (calls.length > 0) {
          reading.pendingToolCalls = calls;
          return add({
            kind: 'tool_request',
            status: text(data.state),
            detail: calls.map((c) => c.tool_name).join(', '),
          });
        }
        return add({ kind: 'status', status: text(data.state) });
      }
      case 'AgentCompletionEvent': {
        const reason = text(data.reason) ?? 'unknown';
        return add({ kind: 'status', status: COMPLETION_STATUS[reason] ?? reason, detail: `completion: ${reason}` });
      }
      case 'AgentErrorEvent':
        return add({ kind: 'note', detail: text(data.error) ?? 'agent error' });
      case 'AgentEvent':
        if (data.kind === 'answer_event') {
          const outcome = typeof data.outcome === 'string' ? data.outcome : null;
          reading.answers.push({ eventIndex, answer: parseAnswer(data.answer), outcome });
          return add({ kind: 'answer', detail: outcome ?? undefined });
        }
        if (data.kind === 'flow_event') return add({ kind: 'steer', detail: text(data.flow) });
        if (data.kind === 'message_event' && data.caller_id === 'user')
          return add({ kind: 'steer', detail: 'message received' });
        return;
    }
  });
  return reading;
}
