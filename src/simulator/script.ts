// Scripted agents: a user message may carry `[sim {JSON}]` anywhere in its text; the JSON says how the agent
// behaves for that turn and the rest of the text is the task. A turn runs `steps` steps (`stepMs` apart), then
// in this order of precedence: fails (`fail`, `failCode`), times out (`timeout`), or requests the custom `tools`
// and waits for their results; and finally answers `ask` (a question), `answer`, a sample of the session's
// answer_format, a JSON summary of the tool results, or "Answer to: <task>", with `outcome`.
import { z } from 'zod';
import type { Json } from './model';

const jsonValue: z.ZodType<Json> = z.json();

export const directiveSchema = z.strictObject({
  steps: z.number().int().min(0).optional(),
  stepMs: z.number().int().min(0).optional(),
  answer: z.union([z.string(), z.record(z.string(), jsonValue)]).optional(),
  outcome: z.enum(['success', 'partial', 'infeasible', 'blocked']).optional(),
  ask: z.string().optional(),
  tools: z
    .array(z.strictObject({ tool_name: z.string().min(1), args: z.record(z.string(), jsonValue).default({}) }))
    .min(1)
    .optional(),
  fail: z.string().optional(),
  failCode: z.enum(['environment_error', 'no_answer', 'answer_validation', 'timeout', 'internal']).optional(),
  timeout: z.boolean().optional(),
});

export type Directive = z.infer<typeof directiveSchema>;

export interface ParsedMessage {
  task: string;
  /** Undefined when the text has no directive. */
  directive?: Directive;
  /** Set when a directive is present but unusable; the agent fails the turn with it. */
  directiveError?: string;
}

// `[sim` then `{`: plain text such as "[simple]" is never mistaken for a directive.
const MARKER = /\[sim\s*\{/;

export function hasDirective(text: string): boolean {
  return MARKER.test(text);
}

/** Index just past the JSON object starting at `start` (a `{`), honouring strings; -1 if unbalanced. */
function endOfJsonObject(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

export function parseMessage(text: string): ParsedMessage {
  const found = MARKER.exec(text);
  if (!found) return { task: text.trim() };
  const at = found.index;
  const open = at + found[0].length - 1;
  const end = endOfJsonObject(text, open);
  const close = end < 0 ? -1 : text.indexOf(']', end);
  if (close < 0 || text.slice(end, close).trim() !== '') {
    return { task: text.trim(), directiveError: 'expected [sim {JSON}]' };
  }
  const task = (text.slice(0, at) + text.slice(close + 1)).replace(/\s+/g, ' ').trim();
  let raw: unknown;
  try {
    raw = JSON.parse(text.slice(open, end));
  } catch (err) {
    return { task, directiveError: `not valid JSON (${(err as Error).message})` };
  }
  const parsed = directiveSchema.safeParse(raw);
  if (!parsed.success) return { task, directiveError: z.prettifyError(parsed.error).replace(/\n\s*/g, ' ') };
  return { task, directive: parsed.data };
}
