// Wire schemas for the Agents API (hai-api.md). Field names stay snake_case, as on the wire.
// Requests are checked before sending; responses are lenient because the API grows often: unknown fields,
// statuses and event types pass through, and only the fields that identify an object are required.
import { z } from 'zod';

/** Optional on the wire, normalised to `null` when absent. */
const nullish = <T extends z.ZodType>(schema: T) => schema.nullable().default(null);

// ---- Requests ------------------------------------------------------------------------------------------------

export const UserMessageSchema = z.looseObject({
  type: z.literal('user_message').default('user_message'),
  message: z.string(),
  /** base64 data URIs */
  images: z.array(z.string()).optional(),
  caller_id: z.string().optional(),
});
export type UserMessage = z.input<typeof UserMessageSchema>;

export const ToolDefinitionSchema = z.looseObject({
  name: z.string().min(1).max(64),
  description: z.string(),
  input_schema: z.record(z.string(), z.unknown()),
});
export type ToolDefinition = z.input<typeof ToolDefinitionSchema>;

/** Inline agent (§2.15). Environments, skills and subagents are either catalog names or loose objects. */
export const AgentSchema = z.looseObject({
  name: z.string().min(1).max(127),
  description: z.string().min(1),
  environments: z.array(z.union([z.string(), z.looseObject({})])).nullish(),
  model: z.string().nullish(),
  instructions: z.string().nullish(),
  subagents: z.array(z.union([z.string(), z.looseObject({ name: z.string() })])).nullish(),
  skills: z.array(z.union([z.string(), z.looseObject({ name: z.string() })])).nullish(),
  answer_format: z.record(z.string(), z.unknown()).nullish(),
  tools: z.array(ToolDefinitionSchema).nullish(),
});
export type Agent = z.input<typeof AgentSchema>;

/** Body of `POST /sessions` (§2.1). Loose so newer fields reach the server, which is the judge of them. */
export const SessionRequestSchema = z.looseObject({
  agent: z.union([z.string().min(1), AgentSchema]),
  messages: z.union([z.string(), UserMessageSchema, z.array(UserMessageSchema)]).nullish(),
  max_steps: z.number().int().min(1).nullish(),
  max_time_s: z.number().positive().nullish(),
  idle_timeout_s: z.number().int().positive().nullish(),
  delete_after_min: z.number().int().min(1).nullish(),
  delete_screenshot_after_min: z.number().int().min(1).nullish(),
  queue: z.boolean().optional(),
  group_id: z.string().nullish(),
  parent_session_id: z.string().nullish(),
  /** dotted path → value, e.g. `{"agent.answer_format": {...}}` */
  overrides: z.record(z.string(), z.unknown()).optional(),
});
export type SessionRequest = z.input<typeof SessionRequestSchema>;

export const ToolRequestSchema = z.looseObject({
  tool_name: z.string(),
  args: z.record(z.string(), z.unknown()).default({}),
  id: z.string().nullish(),
});
export type ToolRequest = z.output<typeof ToolRequestSchema>;

/** One answer to a pending custom-tool call; it echoes the whole `tool_req` (§2.8). */
export const ToolResultSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('tool_result'), tool_req: ToolRequestSchema, result: z.unknown() }),
  z.looseObject({ kind: z.literal('error_event'), error: z.string(), origin: z.string(), tool_req: ToolRequestSchema }),
]);
export type ToolResult = z.input<typeof ToolResultSchema>;

// ---- Responses -----------------------------------------------------------------------------------------------

export const ModelUsageSchema = z.looseObject({
  name: z.string(),
  input_tokens: z.number().default(0),
  output_tokens: z.number().default(0),
  reasoning_tokens: z.number().default(0),
});
export type ModelUsage = z.output<typeof ModelUsageSchema>;

/** Status object (§3.2). `/status` is the authority for lifecycle state and failure fields. */
export const SessionStatusSchema = z.looseObject({
  status: z.string(),
  error: nullish(z.string()),
  error_code: nullish(z.string()),
  outcome: nullish(z.string()),
  steps: z.number().default(0),
  usage_per_model: z.array(ModelUsageSchema).default([]),
  subagent_session_ids: z.array(z.string()).default([]),
});
export type SessionStatus = z.output<typeof SessionStatusSchema>;

/** Event envelope (§5). Unknown `type`s pass; `data` is left for the caller to narrow. */
export const SessionEventSchema = z.looseObject({
  type: z.string(),
  data: z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((d) => d ?? {}),
  timestamp: nullish(z.string()),
});
export type SessionEvent = z.output<typeof SessionEventSchema>;

export const CostPerModelSchema = z.looseObject({
  name: z.string(),
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  reasoning_tokens: z.number().nullish(),
  input_cost: z.number().nullish(),
  output_cost: z.number().nullish(),
  reasoning_cost: z.number().nullish(),
  total_cost: z.number().nullish(),
});

/** Usage and cost rollup of `/changes` and `MetricsUpdateEvent`; costs are USD, null when unpriced. */
export const MetricsSchema = z.looseObject({
  steps: z.number().default(0),
  cost_per_model: z.array(CostPerModelSchema).default([]),
  input_cost: nullish(z.number()),
  output_cost: nullish(z.number()),
  reasoning_cost: nullish(z.number()),
  total_cost: nullish(z.number()),
});
export type Metrics = z.output<typeof MetricsSchema>;

/**
 * 200 body of `/changes` (§4). There is no next-index field: the next cursor is `from_index + new_events.length`.
 * `answer` is raw (a string, an object, or an object serialised as a JSON string): see `parseAnswer`.
 */
export const SessionChangesSchema = z.looseObject({
  status: z.string(),
  started_at: nullish(z.string()),
  finished_at: nullish(z.string()),
  error: nullish(z.string()),
  error_code: nullish(z.string()),
  new_events: z.array(SessionEventSchema).default([]),
  answer: z.unknown().default(null),
  outcome: nullish(z.string()),
  metrics: MetricsSchema.nullish(),
});
export type SessionChanges = z.output<typeof SessionChangesSchema>;

/** Session object (§3.1). `request` is the echo of the create body; its `agent` may come back resolved. */
export const SessionSchema = z.looseObject({
  id: z.string(),
  request: z.looseObject({}),
  status: SessionStatusSchema,
  agent_view_url: nullish(z.string()),
  latest_answer: z.unknown().default(null),
  created_at: z.string(),
  started_at: nullish(z.string()),
  finished_at: nullish(z.string()),
});
export type Session = z.output<typeof SessionSchema>;

/** Row of `GET /sessions` (§2.2). */
export const SessionSummarySchema = z.looseObject({
  id: z.string(),
  agent: nullish(z.string()),
  status: z.string(),
  agent_view_url: nullish(z.string()),
  first_message: nullish(z.looseObject({ message: z.string().optional() })),
  created_at: z.string(),
  started_at: nullish(z.string()),
  finished_at: nullish(z.string()),
  last_activity_at: nullish(z.string()),
});
export type SessionSummary = z.output<typeof SessionSummarySchema>;

/** `{items, page, total}`; more pages remain while `page * size < total` (the size is not echoed). */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.looseObject({ items: z.array(item), page: z.number(), total: z.number() });
export type Page<T> = { items: T[]; page: number; total: number; [k: string]: unknown };

export const QuotaStatusSchema = z.looseObject({
  scope: z.string(),
  limit: z.number(),
  active: z.number(),
  available: z.number(),
});
export type QuotaStatus = z.output<typeof QuotaStatusSchema>;

// ---- Helpers -------------------------------------------------------------------------------------------------

/**
 * A structured answer may arrive as a JSON string (§4). Strings that look like a JSON object or array are parsed;
 * anything else, including free text that fails to parse, is returned unchanged.
 */
export function parseAnswer(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  const looksJson = (text.startsWith('{') && text.endsWith('}')) || (text.startsWith('[') && text.endsWith(']'));
  if (!looksJson) return raw;
  try {
    return JSON.parse(text);
  } catch {
    return raw;
  }
}
