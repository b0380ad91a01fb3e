// The session workflow's input: validated by the client before start and again by the workflow itself,
// so a bad input fails at once with a message naming the field.
import { z } from 'zod';
import { compileAnswerSchema } from './answer-schema';
import { parseDuration } from './duration';
import { inputTooLarge, nestingProblem } from './limits';

export const DEFAULT_AGENT = 'h/web-surfer-flash';

const jsonSchemaObject = z
  .record(z.string(), z.unknown())
  .refine((s) => typeof s.type === 'string' || 'properties' in s || 'anyOf' in s || 'oneOf' in s || '$ref' in s, {
    message: 'must be a JSON Schema object (with a "type", "properties", "anyOf", "oneOf" or "$ref")',
  })
  .superRefine((schema, ctx) => {
    const compiled = compileAnswerSchema(schema);
    if (!compiled.ok) ctx.addIssue({ code: 'custom', message: compiled.error });
  });

/** A duration in ms, or text like "90s", "15m", "1h". */
const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === null) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration in ms or like "90s", "15m", "1h", got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return ms;
});

/** Bounds of `leanTakeoverAfter`: a lean watch's own limit is 30 minutes. */
const MIN_LEAN_TAKEOVER_MS = 30_000;
const MAX_LEAN_TAKEOVER_MS = 30 * 60_000;

export const approvalSchema = z
  .object({
    /** How long a decision may take; unset waits indefinitely. */
    timeout: durationSchema.optional(),
    onTimeout: z.enum(['reject', 'approve', 'cancel']).default('reject'),
    /** Answers that may be put up for approval, counting the first. */
    maxRounds: z.number().int().min(1).max(100).default(3),
  })
  .strict();

export const userMessageSchema = z.object({
  message: z.string().trim().min(1, 'must not be empty'),
  images: z.array(z.string()).optional(),
});

export const sessionInputSchema = z
  .object({
    agent: z.union([z.string().trim().min(1), z.record(z.string(), z.unknown())]).default(DEFAULT_AGENT),
    task: z.string().trim().min(1, 'must not be empty').optional(),
    messages: z.array(userMessageSchema).min(1).optional(),
    maxSteps: z.number().int().min(1).optional(),
    maxTimeS: z.number().positive().optional(),
    idleTimeoutS: z.number().int().positive().optional(),
    answerSchema: jsonSchemaObject.optional(),
    groupId: z.string().min(1).max(255).optional(),
    parentSessionId: z.string().min(1).optional(),
    overrides: z.record(z.string(), z.unknown()).optional(),
    /** Hold each answer until a person approves or rejects it. */
    approval: approvalSchema.optional(),
    /** How long an interactive session waits for a person's reply before it ends. */
    replyTimeout: durationSchema.optional(),
    /** Where to POST a signed notice when the session starts waiting for a person (else the worker's default). */
    notifyUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Names of tools registered with the worker that the agent may call. */
    tools: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a tool name like lookup_order'))
      .optional(),
    /** Continue-as-new after this many transitions (Temporal's own suggestion applies regardless). */
    continueAsNewEvery: z.number().int().min(1).optional(),
    /**
     * How the worker follows the session: `events` (the default) pages every platform event, with live steps and
     * each transition as it happens; `lean` follows the status alone, through one sweep per worker, and reads the
     * answer at the end: far fewer requests for many sessions, without step-level detail. The default for batch
     * items. A session with `maxCostUsd` is followed by its events whatever this says (the cost rides them).
     */
    watch: z.enum(['events', 'lean']).optional(),
    /**
     * How long a lean session goes unfollowed when its worker dies before another worker takes it over: its watch's
     * heartbeat timeout, 10 minutes unless set. Shorter costs more heartbeats (one per 0.8 × this per live session).
     */
    leanTakeoverAfter: durationSchema
      .refine((ms) => ms >= MIN_LEAN_TAKEOVER_MS && ms <= MAX_LEAN_TAKEOVER_MS, 'must be between 30s and 30m')
      .optional(),
    /** Force an answer once the platform reports the session's cost (USD) past this. */
    maxCostUsd: z.number().positive().optional(),
    /** At the platform's concurrency limit: wait as `queued` (true, the platform's default) or be refused with 429. */
    queue: z.boolean().optional(),
    /** Signal this workflow (e.g. a batch) the session's compact outcome when it ends, as `sessionFinished`. */
    reportTo: z
      .object({ workflowId: z.string().min(1), key: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((i) => (i.task === undefined) !== (i.messages === undefined), {
    message: 'give exactly one of "task" or "messages"',
    path: ['task'],
  })
  .refine((i) => !(i.answerSchema && i.overrides?.['agent.answer_format']), {
    message: 'give the answer schema either as "answerSchema" or as overrides["agent.answer_format"], not both',
    path: ['answerSchema'],
  })
  .superRefine((i, ctx) => {
    const problem = inputTooLarge(i);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** What callers pass (defaults optional). */
export type SessionInput = z.input<typeof sessionInputSchema>;
/** What the workflow works with (defaults applied). */
export type ValidSessionInput = z.output<typeof sessionInputSchema>;

/** Renders zod issues as one line per field, e.g. `maxSteps: Too small: expected number to be >=1`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`).join('; ');
}

export function parseSessionInput(raw: unknown): { ok: true; value: ValidSessionInput } | { ok: false; error: string } {
  // Before zod and JSON.stringify, which recurse and would overflow the stack on absurd nesting.
  const nesting = nestingProblem(raw);
  if (nesting) return { ok: false, error: nesting };
  const result = sessionInputSchema.safeParse(raw);
  return result.success ? { ok: true, value: result.data } : { ok: false, error: describeIssues(result.error) };
}
