// Request bodies (hai-api.md §2.1, §2.7, §2.8, §2.12). Strict where the contract says extra fields are rejected
// (create, batches); lenient on nested objects that the API grows often (messages, inline agents, tool requests).
import { z } from 'zod';
import type { Json, UserMessage } from './model';

const json: z.ZodType<Json> = z.json();
const jsonObject = z.record(z.string(), json);

export const userMessageSchema = z.looseObject({
  type: z.literal('user_message').default('user_message'),
  message: z.string(),
  images: z.array(z.string()).nullish(),
  caller_id: z.string().nullish(),
  // GUESS (§2.1): the field newer SDKs attach FileContent items under.
  files: z.array(json).nullish(),
});

const inlineAgentSchema = z.looseObject({
  name: z.string().min(1).max(127),
  description: z.string().min(1),
  model: z.string().nullish(),
  answer_format: jsonObject.nullish(),
  tools: z.array(jsonObject).nullish(),
});

const overridesSchema = z.record(z.string().min(1), json).superRefine((overrides, ctx) => {
  const format = overrides['agent.answer_format'];
  if (format !== undefined && format !== null && (typeof format !== 'object' || Array.isArray(format))) {
    ctx.addIssue({
      code: 'custom',
      path: ['agent.answer_format'],
      message: 'answer_format must be a JSON Schema object',
    });
  }
  const tools = overrides['agent.tools'];
  if (tools !== undefined && tools !== null && !Array.isArray(tools)) {
    ctx.addIssue({ code: 'custom', path: ['agent.tools'], message: 'agent.tools must be a list of tool definitions' });
  }
});

export const createSessionSchema = z.strictObject({
  agent: z.union([z.string().min(1), inlineAgentSchema]),
  messages: z.union([z.string(), userMessageSchema, z.array(userMessageSchema)]).nullish(),
  max_steps: z.number().int().min(1).nullish(),
  max_time_s: z.number().gt(0).nullish(),
  idle_timeout_s: z.number().int().gt(0).nullish(),
  delete_after_min: z.number().int().min(1).nullish(),
  delete_screenshot_after_min: z.number().int().min(1).nullish(),
  queue: z.boolean().optional(),
  group_id: z.string().nullish(),
  parent_session_id: z.string().nullish(),
  overrides: overridesSchema.nullish(),
  // Older API: accepted, as the official Python SDK still sends them.
  answer_format: jsonObject.nullish(),
  agent_artifact: z.string().nullish(),
  // Newer than hai-api.md: the official Python SDK 1.3.0 sends it ("IANA timezone the agent uses").
  timezone: z.string().min(1).nullish(),
});
export type CreateSessionBody = z.output<typeof createSessionSchema>;

export const messagesBodySchema = z.discriminatedUnion('type', [
  userMessageSchema.extend({ type: z.literal('user_message') }),
  z.strictObject({ type: z.literal('batch'), messages: z.array(userMessageSchema).min(1) }),
]);

const toolReqSchema = z.looseObject({ tool_name: z.string(), args: jsonObject.default({}), id: z.string() });

const toolSubmissionSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('tool_result'), tool_req: toolReqSchema, result: json }),
  z.looseObject({ kind: z.literal('error_event'), tool_req: toolReqSchema, error: z.string(), origin: z.string() }),
]);

export const toolResultsBatchSchema = z.strictObject({
  type: z.literal('batch'),
  results: z.array(toolSubmissionSchema).min(1),
});
export const toolResultSingleSchema = toolSubmissionSchema;

export const feedbackSchema = z.strictObject({ success: z.boolean(), message: z.string().nullish() });

/** A bare string, one message or a list, as stored in `request.messages` and fed to the agent. */
export function toUserMessages(
  input: string | z.output<typeof userMessageSchema> | z.output<typeof userMessageSchema>[] | null | undefined,
): UserMessage[] {
  const list = input === null || input === undefined ? [] : Array.isArray(input) ? input : [input];
  return list.map((m) => {
    if (typeof m === 'string') return { type: 'user_message', message: m, images: [], caller_id: 'user' };
    const msg: UserMessage = {
      type: 'user_message',
      message: m.message,
      images: m.images ?? [],
      caller_id: m.caller_id ?? 'user',
    };
    if (m.files) msg.files = m.files;
    return msg;
  });
}
