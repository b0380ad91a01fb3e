// The library face of hai-temporal: start agent sessions as workflows, steer them, read their progress.
import {
  Client,
  Connection,
  ServiceError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { z } from 'zod';
import type { WatchProgress } from './activities/watch-session';
import { loadTemporalSettings, resolveTaskQueue, type TemporalSettings } from './config';
import { inputTooLarge, messageProblem } from './shared/limits';
import { rootCause } from './shared/root-cause';
import { loadDataConverter } from './security/data-converter';
import { sessionDetails, sessionSummary, sessionWorkflowId } from './webui/session-summary';
import { DEFAULT_RESULT_WAITS, resultsOf, type SessionResultEntry } from './session-results';
import { parseSessionInput, type SessionInput } from './shared/input';
import {
  approveUpdate,
  cancelUpdate,
  rejectUpdate,
  replyUpdate,
  type ApprovePayload,
  type DecisionAck,
  type RejectPayload,
  endUpdate,
  followQuery,
  forceAnswerUpdate,
  pauseUpdate,
  progressQuery,
  resumeUpdate,
  sendUpdate,
  SESSION_WORKFLOW_TYPE,
  type SessionFollow,
  type SessionProgress,
  type SessionResult,
  type SteerAck,
} from './shared/session';
import { HAI_AWAITING, HAI_SESSION_ID, HAI_STATUS } from './temporal/search-attributes';
import type { agentSession } from './workflows';

/** Workflow states after which the state a query returns no longer tells the whole story. */
const CLOSED_BADLY = new Set(['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED']);
/** gRPC status of an update refused because the workflow's task is failing. */
const FAILED_PRECONDITION = 9;
const UPDATE_TRIES = 5;

const abortedByTaskFailure = (err: unknown) =>
  err instanceof ServiceError &&
  (err.cause as { code?: number } | undefined)?.code === FAILED_PRECONDITION &&
  /unexpected workflow task failure/.test((err.cause as { details?: string }).details ?? '');

export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}

/** Session input as library callers give it: the answer schema may be a zod schema. */
export type StartSessionInput = Omit<SessionInput, 'answerSchema'> & {
  answerSchema?: SessionInput['answerSchema'] | z.ZodType;
};

export interface StartOptions {
  workflowId?: string;
}

export interface SessionListEntry {
  workflowId: string;
  runId: string;
  workflowStatus: string;
  sessionStatus: string | null;
  sessionId: string | null;
  awaiting: string | null;
  startTime: Date;
  closeTime: Date | null;
}

export type SessionHandle = WorkflowHandle<typeof agentSession>;

export function toWorkflowInput(input: StartSessionInput): SessionInput {
  const { answerSchema, ...rest } = input;
  const schema =
    answerSchema instanceof z.ZodType ? (z.toJSONSchema(answerSchema) as Record<string, unknown>) : answerSchema;
  const candidate = schema ? { ...rest, answerSchema: schema } : rest;
  const parsed = parseSessionInput(candidate);
  if (!parsed.ok) throw new InvalidInputError(`invalid session input: ${parsed.error}`);
  return candidate;
}

export class SessionClient {
  constructor(
    readonly temporal: Client,
    readonly taskQueue: string = resolveTaskQueue(undefined),
  ) {}

  static async connect(opts: { temporal?: TemporalSettings; taskQueue?: string } = {}): Promise<SessionClient> {
    const settings = opts.temporal ?? loadTemporalSettings();
    const connection = await Connection.connect(settings.connectionOptions);
    return new SessionClient(
      new Client({ connection, namespace: settings.namespace, dataConverter: loadDataConverter() }),
      resolveTaskQueue(opts.taskQueue),
    );
  }

  async start(
    input: StartSessionInput,
    opts: StartOptions = {},
  ): Promise<WorkflowHandleWithFirstExecutionRunId<typeof agentSession>> {
    const args = toWorkflowInput(input);
    return this.temporal.workflow.start<typeof agentSession>(SESSION_WORKFLOW_TYPE, {
      taskQueue: this.taskQueue,
      workflowId: opts.workflowId ?? sessionWorkflowId(args),
      args: [args],
      staticSummary: sessionSummary(args),
      staticDetails: sessionDetails(args),
    });
  }

  /** Starts a session and waits for its result. */
  async run(input: StartSessionInput, opts: StartOptions = {}): Promise<SessionResult> {
    return (await this.start(input, opts)).result();
  }

  /**
   * The results of many sessions as they come in, with at most `concurrency` waits (long polls) open at once: the
   * way to wait on thousands. A session that failed, was cancelled or is unknown gives an entry with its error (a
   * `WorkflowFailedError`, a `WorkflowNotFoundError`, or the `ServiceError` of a wait that failed: wait on it again);
   * the others go on.
   */
  results(workflowIds: Iterable<string>, opts: { concurrency?: number } = {}): AsyncGenerator<SessionResultEntry> {
    const concurrency = opts.concurrency ?? DEFAULT_RESULT_WAITS;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new InvalidInputError(`concurrency must be a whole number of at least 1, not ${concurrency}`);
    return resultsOf(this.temporal, workflowIds, concurrency);
  }

  handle(workflowId: string): SessionHandle {
    return this.temporal.workflow.getHandle<typeof agentSession>(workflowId);
  }

  /** Throws Temporal's WorkflowNotFoundError, with the id, when there is no such session workflow. */
  async describe(workflowId: string) {
    return this.handle(workflowId).describe();
  }

  /**
   * The session's durable state. While the agent works between transitions, `steps` and `cursor` come from
   * the watch activity's last heartbeat (about a minute behind at most), so they move during long runs.
   */
  async progress(workflowId: string, description?: WorkflowExecutionDescription): Promise<SessionProgress> {
    const handle = this.handle(workflowId);
    const [progress, described] = await Promise.all([
      handle.query(progressQuery),
      description ?? handle.describe().catch(() => undefined),
    ]);
    const closedBadly = described && CLOSED_BADLY.has(described.status.name);
    if (closedBadly) return this.#failedProgress(workflowId, progress, described.status.name);
    const live = await this.#liveWatch(described);
    if (!live) return progress;
    return {
      ...progress,
      steps: Math.max(progress.steps, live.steps ?? 0),
      cursor: Math.max(progress.cursor, live.cursor ?? 0),
    };
  }

  /** Where the session stands and the transitions numbered `since` and later: what a follower polls. */
  follow(workflowId: string, since: number): Promise<SessionFollow> {
    return this.handle(workflowId).query(followQuery, since);
  }

  /** The watch activity's last heartbeat, decoded with this client's data converter (codecs included). */
  async #liveWatch(described: WorkflowExecutionDescription | undefined): Promise<Partial<WatchProgress> | undefined> {
    const watch = described?.raw.pendingActivities?.find((a) => a.activityType?.name === 'watchSession');
    const payloads = watch?.heartbeatDetails?.payloads;
    if (!payloads?.length) return undefined;
    const converter = this.temporal.options.loadedDataConverter;
    return decodeFromPayloadsAtIndex<Partial<WatchProgress>>(converter, 0, payloads).catch(() => undefined);
  }

  /** A workflow that failed, was terminated or timed out says so, and why, whatever its state last held. */
  async #failedProgress(workflowId: string, progress: SessionProgress, status: string): Promise<SessionProgress> {
    const why = await this.handle(workflowId)
      .result()
      .then(
        () => `the workflow is ${status.toLowerCase()}`,
        (err: unknown) => rootCause(err),
      );
    return {
      ...progress,
      phase: 'ended',
      error: why,
      ending: { outcome: status === 'CANCELLED' ? 'cancelled' : 'failed', endedBy: 'workflow', error: why },
    };
  }

  send(workflowId: string, message: string): Promise<SteerAck> {
    const problem = messageProblem(message);
    if (problem) return Promise.reject(new InvalidInputError(problem));
    return this.#update(workflowId, sendUpdate, { message });
  }
  pause(workflowId: string): Promise<SteerAck> {
    return this.#update(workflowId, pauseUpdate);
  }
  resume(workflowId: string): Promise<SteerAck> {
    return this.#update(workflowId, resumeUpdate);
  }
  forceAnswer(workflowId: string): Promise<SteerAck> {
    return this.#update(workflowId, forceAnswerUpdate);
  }
  /**
   * Cancels the session on the platform. When the workflow cannot take updates right now (its task is failing,
   * e.g. while Temporal retries an oversized request someone sent it), the workflow is cancelled instead: Temporal
   * keeps that request, and the workflow cancels the platform session as soon as it runs again.
   */
  async cancel(workflowId: string, reason?: string): Promise<SteerAck> {
    try {
      return await this.#update(workflowId, cancelUpdate, reason ? { reason } : {});
    } catch (err) {
      if (!(err instanceof ServiceError) || (err.cause as { code?: number } | undefined)?.code !== FAILED_PRECONDITION)
        throw err;
      await this.handle(workflowId).cancel();
      return { command: 'cancel', status: 'cancellation requested' };
    }
  }
  end(workflowId: string): Promise<SteerAck> {
    return this.#update(workflowId, endUpdate);
  }
  approve(workflowId: string, decision: ApprovePayload): Promise<DecisionAck> {
    return this.#update(workflowId, approveUpdate, decision);
  }
  reject(workflowId: string, decision: RejectPayload): Promise<DecisionAck> {
    return this.#update(workflowId, rejectUpdate, decision);
  }
  /** Answers an agent waiting for a person: its ask_human call, or else as its next message. */
  reply(workflowId: string, message: string, by?: string): Promise<SteerAck> {
    const problem = messageProblem(message);
    if (problem) return Promise.reject(new InvalidInputError(problem));
    return this.#update(workflowId, replyUpdate, { message, ...(by ? { by } : {}) });
  }

  /** Every update goes through here: a payload over the limit is refused before it travels (see limits.ts). */
  async #update<R, A extends unknown[]>(workflowId: string, update: UpdateDefinition<R, A>, ...args: A): Promise<R> {
    const problem = inputTooLarge(args);
    if (problem) throw new InvalidInputError(`${update.name}: ${problem.replace('session input', 'request')}`);
    const handle = this.handle(workflowId);
    // One id for every try: Temporal runs an update once per id, so a retry never applies it twice.
    const options = { args, updateId: crypto.randomUUID() } as never;
    for (let attempt = 1; ; attempt++) {
      try {
        return (await handle.executeUpdate(update.name, options)) as R;
      } catch (err) {
        // A workflow task that failed under the update (e.g. completing while an activity completed) aborts it
        // before it was accepted; the task is retried, and so is the update.
        if (attempt >= UPDATE_TRIES || !abortedByTaskFailure(err)) throw err;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  async *list(
    opts: { sessionStatus?: string; awaiting?: string; query?: string; limit?: number } = {},
  ): AsyncGenerator<SessionListEntry> {
    const clauses = [`WorkflowType = '${SESSION_WORKFLOW_TYPE}'`];
    if (opts.sessionStatus) clauses.push(`${HAI_STATUS.name} = ${quote(opts.sessionStatus)}`);
    if (opts.awaiting) clauses.push(`${HAI_AWAITING.name} = ${quote(opts.awaiting)}`);
    if (opts.query) clauses.push(`(${opts.query})`);
    let count = 0;
    for await (const wf of this.temporal.workflow.list({ query: clauses.join(' AND ') })) {
      if (opts.limit !== undefined && count++ >= opts.limit) return;
      const attrs = wf.typedSearchAttributes;
      yield {
        workflowId: wf.workflowId,
        runId: wf.runId,
        workflowStatus: wf.status.name,
        sessionStatus: attrs.get(HAI_STATUS) ?? null,
        sessionId: attrs.get(HAI_SESSION_ID) ?? null,
        awaiting: attrs.get(HAI_AWAITING) || null,
        startTime: wf.startTime,
        closeTime: wf.closeTime ?? null,
      };
    }
  }

  /** Running sessions that wait for a person: an approval decision or a reply. */
  pending(): AsyncGenerator<SessionListEntry> {
    return this.list({ query: `${HAI_AWAITING.name} IN ('approval', 'input') AND ExecutionStatus = 'Running'` });
  }

  async close(): Promise<void> {
    await this.temporal.connection.close();
  }
}

const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
