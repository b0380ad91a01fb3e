// One compact line per event for a terminal: what the agent thought and did, what it saw, what it said, and what it
// cost so far. Unknown event types, kinds and fields are shown generically (the API grows often).
import { kindOf } from './history';
import type { IndexedEvent } from './types';

type Data = Record<string, unknown>;

/** A line's label and text, and the data fields the text already shows (the others are appended generically). */
interface Shown {
  label: string;
  text: string;
  fields: string[];
}

const MAX_TEXT = 200;
const LABEL_WIDTH = 10;

export function formatEvent(e: IndexedEvent): string {
  const time = typeof e.timestamp === 'string' && e.timestamp.length >= 19 ? e.timestamp.slice(11, 19) : '--:--:--';
  const shown = describe(e);
  const extra = Object.entries(e.data)
    .filter(([k, v]) => !shown.fields.includes(k) && v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${compact(v, 80)}`);
  const text = [shown.text, ...extra].filter(Boolean).join(' · ');
  return `#${String(e.index).padEnd(5)} ${time}  ${shown.label.padEnd(LABEL_WIDTH)} ${text}`.trimEnd();
}

function describe(e: IndexedEvent): Shown {
  const d = e.data;
  switch (e.type) {
    case 'AgentEvent':
      return describeAgentEvent(d);
    case 'RequestStartEvent':
      return { label: 'request', text: 'received', fields: [] };
    case 'RequestStartDispatchedEvent':
      return {
        label: 'request',
        text: `dispatched${d.status && d.status !== 'dispatched' ? ` (${str(d.status)})` : ''}`,
        fields: ['status'],
      };
    case 'AgentStartedEvent':
      return { label: 'started', text: 'agent started', fields: [] };
    case 'MetricsUpdateEvent':
      return { label: 'cost', text: metrics(d.metrics), fields: ['metrics'] };
    case 'ActiveStateChangeEvent': {
      const calls = Array.isArray(d.pending_tool_calls) ? d.pending_tool_calls.map(toolCall).join(', ') : '';
      return {
        label: 'state',
        text: `${str(d.state)}${calls ? `: ${calls}` : ''}`,
        fields: ['state', 'pending_tool_calls'],
      };
    }
    case 'AgentRunStatusChangeEvent':
      return { label: 'status', text: str(d.status), fields: ['status'] };
    case 'AgentCompletionEvent':
      return { label: 'completed', text: str(d.reason), fields: ['reason'] };
    case 'AgentErrorEvent':
      return { label: 'error', text: str(d.error), fields: ['error', 'trace'] };
    case 'LiveViewUrlEvent':
      return { label: 'live view', text: str(d.live_view_url ?? d.url), fields: ['live_view_url', 'url'] };
    case 'FileTransferEvent':
      return {
        label: 'file',
        text: `${str(d.direction)} ${str(d.path)}${typeof d.size_bytes === 'number' ? ` (${d.size_bytes} bytes)` : ''}`,
        fields: ['direction', 'path', 'size_bytes'],
      };
    default:
      return { label: e.type, text: '', fields: [] };
  }
}

function describeAgentEvent(d: Data): Shown {
  const kind = kindOf({ type: 'AgentEvent', data: d });
  switch (kind) {
    case 'policy_event': {
      const parts: string[] = [];
      if (d.reasoning_content) parts.push(`(thinking) ${clip(str(d.reasoning_content))}`);
      const said = d.content ?? d.message;
      if (said) parts.push(clip(str(said)));
      const calls = Array.isArray(d.tool_reqs) ? d.tool_reqs.map(toolCall) : [];
      if (calls.length) parts.push(`→ ${calls.join(', ')}`);
      if (Array.isArray(d.validation_errors) && d.validation_errors.length) {
        parts.push(`invalid: ${compact(d.validation_errors, 120)}`);
      }
      return {
        label: 'policy',
        text: parts.join(' '),
        fields: ['kind', 'reasoning_content', 'content', 'message', 'tool_reqs', 'validation_errors'],
      };
    }
    case 'tool_result': {
      const name = isObject(d.tool_req) ? str(d.tool_req.tool_name) : '?';
      return {
        label: 'tool',
        text: `${name} → ${compact(d.result, MAX_TEXT)}${d.truncated === true ? ' (truncated)' : ''}`,
        fields: ['kind', 'tool_req', 'result', 'truncated'],
      };
    }
    case 'observation_event': {
      const parts = [d.type ? str(d.type) : 'observation'];
      if (d.text) parts.push(clip(str(d.text)));
      if (isObject(d.image)) parts.push(`image ${imageRef(d.image)}`);
      const metadata = isObject(d.metadata) && Object.keys(d.metadata).length ? compact(d.metadata, 80) : '';
      if (metadata) parts.push(metadata);
      return { label: 'observe', text: parts.join(' '), fields: ['kind', 'type', 'text', 'image', 'metadata'] };
    }
    case 'answer_event':
      return {
        label: 'answer',
        text: `${d.outcome ? `[${str(d.outcome)}] ` : ''}${compact(d.answer, MAX_TEXT)}`,
        fields: ['kind', 'answer', 'outcome'],
      };
    case 'message_event': {
      const content = Array.isArray(d.content) ? d.content : [d.content];
      const text = content.map((c) => (isObject(c) ? `[image ${imageRef(c)}]` : clip(str(c)))).join(' ');
      return {
        label: 'message',
        text: `${str(d.caller_id ?? '?')}: ${text}`,
        fields: ['kind', 'caller_id', 'content'],
      };
    }
    case 'error_event':
      return {
        label: 'error',
        text: `${clip(str(d.error))}${d.origin ? ` (${str(d.origin)})` : ''}${isObject(d.tool_req) ? ` in ${toolCall(d.tool_req)}` : ''}`,
        fields: ['kind', 'error', 'origin', 'tool_req'],
      };
    case 'flow_event':
      return {
        label: 'flow',
        text: `${str(d.flow)}${d.origin ? ` (${str(d.origin)})` : ''}`,
        fields: ['kind', 'flow', 'origin'],
      };
    default:
      return { label: kind ? `agent/${kind}` : 'agent', text: '', fields: ['kind'] };
  }
}

/** `navigate(url=https://…)` */
function toolCall(req: unknown): string {
  if (!isObject(req)) return compact(req, 80);
  const args = isObject(req.args)
    ? Object.entries(req.args)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? clip(v, 120) : compact(v, 80)}`)
        .join(', ')
    : '';
  return `${str(req.tool_name)}(${args})`;
}

function metrics(m: unknown): string {
  if (!isObject(m)) return compact(m, MAX_TEXT);
  const steps = typeof m.steps === 'number' ? `${m.steps} step${m.steps === 1 ? '' : 's'}` : '';
  const cost = typeof m.total_cost === 'number' ? `$${m.total_cost.toFixed(4)}` : 'unpriced';
  return [steps, cost].filter(Boolean).join(' · ');
}

function imageRef(image: Data): string {
  const source = str(image.source);
  return image.type === 'base64' || source.startsWith('data:') ? '(inline)' : clip(source, 120);
}

const isObject = (v: unknown): v is Data => typeof v === 'object' && v !== null && !Array.isArray(v);

const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : compact(v, MAX_TEXT);

/** One line, at most `max` characters. */
function clip(text: string, max = MAX_TEXT): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function compact(v: unknown, max: number): string {
  if (typeof v === 'string') return clip(v, max);
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return clip(text, max);
}
