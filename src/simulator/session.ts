// One simulated session's record and the wire views of it (Session, SessionStatus, SessionSummary, Metrics).
import type { EventSpec } from './events';
import type { ErrorCode, Json, JsonObject, Outcome, SessionEvent, SessionStatusValue, UserMessage } from './model';

// Per-million-token prices; the pro model's match the doc example (§4), the flash one is made up.
const PRICES: Record<string, { input: number; output: number }> = {
  'holo3-122b-a10b': { input: 0.4, output: 3 },
  'holo3-1-35b-a3b': { input: 0.2, output: 1.5 },
};
const TOKENS_PER_STEP = { input: 1500, output: 120 };

export interface SessionSetup {
  id: string;
  owner: string;
  request: JsonObject;
  agentName: string | null;
  model: string;
  answerFormat: JsonObject | null;
  maxSteps: number | null;
  maxTimeS: number | null;
  idleTimeoutS: number | null;
  queueOnLimit: boolean;
  groupId: string | null;
  parentSessionId: string | null;
  messages: UserMessage[];
}

/** A session's record as a state file keeps it (`dataFile`). */
export interface SavedRecord {
  status: SessionStatusValue;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  errorCode: ErrorCode | null;
  outcome: Outcome | null;
  steps: number;
  inputTokens: number;
  outputTokens: number;
  latestAnswer: Json;
  shared: boolean;
  events: SessionEvent[];
}

export class SimSession {
  /** Until admitted: the store moves it to `pending` or keeps it `queued`. */
  status: SessionStatusValue = 'queued';
  startedAt: string | null = null;
  finishedAt: string | null = null;
  error: string | null = null;
  errorCode: ErrorCode | null = null;
  outcome: Outcome | null = null;
  steps = 0;
  inputTokens = 0;
  outputTokens = 0;
  latestAnswer: Json = null;
  shared = false;
  readonly events: SessionEvent[] = [];
  /** Called after every appended event; the long-poll waiters live here. */
  readonly listeners = new Set<() => void>();
  private lastEventMs = 0;
  /** Indexes of answer_event events, so /changes finds the answer a page reaches without a scan. */
  private readonly answerIndexes: number[] = [];
  /** `createdAt` as a number: the session list compares it for every session on every page. */
  readonly createdMs: number;

  constructor(
    readonly setup: SessionSetup,
    readonly createdAt = new Date().toISOString(),
  ) {
    this.createdMs = Date.parse(createdAt);
  }

  static restore(setup: SessionSetup, saved: SavedRecord): SimSession {
    const { createdAt, events, ...fields } = saved;
    const session = new SimSession(setup, createdAt);
    Object.assign(session, fields);
    for (const event of events) {
      if (event.type === 'AgentEvent' && event.data.kind === 'answer_event') {
        session.answerIndexes.push(session.events.length);
      }
      session.events.push(event);
    }
    session.lastEventMs = Date.parse(events.at(-1)?.timestamp ?? createdAt);
    return session;
  }

  save(): SavedRecord {
    const { status, createdAt, startedAt, finishedAt, error, errorCode, outcome, steps } = this;
    const { inputTokens, outputTokens, latestAnswer, shared, events } = this;
    return {
      ...{ status, createdAt, startedAt, finishedAt, error, errorCode, outcome, steps },
      ...{ inputTokens, outputTokens, latestAnswer, shared, events },
    };
  }

  get id(): string {
    return this.setup.id;
  }

  emit(...specs: EventSpec[]): void {
    for (const spec of specs) {
      // Monotonic timestamps, so ordering by (timestamp, index) equals ordering by index.
      this.lastEventMs = Math.max(Date.now(), this.lastEventMs);
      if (spec.type === 'AgentEvent' && spec.data.kind === 'answer_event') this.answerIndexes.push(this.events.length);
      this.events.push({ type: spec.type, data: spec.data, timestamp: new Date(this.lastEventMs).toISOString() });
    }
    for (const listener of [...this.listeners]) listener();
  }

  /** The latest answer among the first `count` events. */
  answerUpTo(count: number): { answer: Json; outcome: Json } {
    const index = this.answerIndexes.findLast((i) => i < count);
    const data = index === undefined ? undefined : this.events[index]?.data;
    return { answer: data?.answer ?? null, outcome: data?.outcome ?? null };
  }

  addStepUsage(): void {
    this.steps += 1;
    this.inputTokens += TOKENS_PER_STEP.input;
    this.outputTokens += TOKENS_PER_STEP.output;
  }

  usagePerModel(): JsonObject[] {
    if (this.inputTokens === 0) return [];
    return [
      {
        name: this.setup.model,
        input_tokens: this.inputTokens,
        output_tokens: this.outputTokens,
        reasoning_tokens: 0,
      },
    ];
  }

  metrics(): JsonObject {
    const price = PRICES[this.setup.model];
    const inputCost = price ? (this.inputTokens * price.input) / 1e6 : null;
    const outputCost = price ? (this.outputTokens * price.output) / 1e6 : null;
    const reasoningCost = price ? 0 : null;
    const totalCost = inputCost !== null && outputCost !== null ? inputCost + outputCost : null;
    const costPerModel = this.usagePerModel().map((u) => ({
      ...u,
      input_cost: inputCost,
      output_cost: outputCost,
      reasoning_cost: reasoningCost,
      total_cost: totalCost,
    }));
    return {
      steps: this.steps,
      cost_per_model: costPerModel,
      input_cost: inputCost,
      output_cost: outputCost,
      reasoning_cost: reasoningCost,
      total_cost: totalCost,
    };
  }

  statusView(): JsonObject {
    return {
      status: this.status,
      error: this.error,
      error_code: this.errorCode,
      outcome: this.outcome,
      steps: this.steps,
      usage_per_model: this.usagePerModel(),
      subagent_session_ids: [],
    };
  }

  /** The simulator's own page for the session (`/agent-view/{id}`), not the real platform's Agent View. */
  agentViewUrl(origin: string): string {
    return `${origin}/agent-view/${this.id}`;
  }

  sessionView(origin: string): JsonObject {
    return {
      id: this.id,
      request: this.setup.request,
      status: this.statusView(),
      agent_view_url: this.agentViewUrl(origin),
      latest_answer: this.latestAnswer,
      created_at: this.createdAt,
      started_at: this.startedAt,
      finished_at: this.finishedAt,
    };
  }

  summaryView(origin: string): JsonObject {
    return {
      id: this.id,
      agent: this.setup.agentName,
      status: this.status,
      agent_view_url: this.agentViewUrl(origin),
      first_message: this.setup.messages[0] ?? null,
      created_at: this.createdAt,
      started_at: this.startedAt,
      finished_at: this.finishedAt,
      last_activity_at: this.events.at(-1)?.timestamp ?? this.createdAt,
      anonymized_at: null,
    };
  }
}
