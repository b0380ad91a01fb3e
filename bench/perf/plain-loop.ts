// The baseline: a plain script that follows a session with the official SDKs' wait loop (hai-api.md §4, "How the SDK
// loop uses it"), through the project's own HaiClient: create, long-poll /changes from a cursor (20 s), /status as the
// authority, drain the pages once the session settles, then the answer. In memory only: nothing survives the process.
import { readEvents } from '../../src/activities/event-transitions';
import type { HaiClient } from '../../src/hai/client';
import type { SessionChanges } from '../../src/hai/schemas';
import { isSettledStatus } from '../../src/hai/status';

/** A status transition: when the platform stamped the event that carried it, and when the follower knew it. */
export interface Observation {
  status: string;
  happenedMs: number;
  observedMs: number;
}

const WAIT_FOR_SECONDS = 20;
const AGENT = 'h/web-surfer-flash';

export class PlainSession {
  readonly observations: Observation[] = [];
  private cursor = 0;
  private answers = 0;
  /** Status transitions read in events and not yet confirmed by /status, with when each happened. */
  private readonly unconfirmed = new Map<string, number>();

  private constructor(
    private readonly hai: HaiClient,
    readonly id: string,
    private status: string,
  ) {}

  static async create(hai: HaiClient, task: string, idleTimeoutS?: number): Promise<PlainSession> {
    const idle = idleTimeoutS === undefined ? {} : { idle_timeout_s: idleTimeoutS };
    const session = await hai.createSession({ agent: AGENT, messages: task, ...idle });
    return new PlainSession(hai, session.id, session.status.status);
  }

  /**
   * Waits until the session settles and returns its answer, as the SDK's `waitForSession` does. With `newAnswer`
   * (a follow-up turn), a settled status counts only once an answer arrived after the call: the message that wakes an
   * idle session is delivered at the agent's next step, so the first /status may still read the previous `idle`.
   */
  async wait(newAnswer = false): Promise<unknown> {
    const answersBefore = this.answers;
    let last: SessionChanges | undefined;
    for (;;) {
      last = (await this.poll(WAIT_FOR_SECONDS)) ?? last;
      const { status } = await this.hai.getStatus(this.id);
      this.confirm(status);
      if (!isSettledStatus(status)) continue;
      for (;;) {
        const page = await this.poll(0);
        if (!page?.new_events?.length) break;
        if (page.answer != null) last = page;
      }
      if (newAnswer && this.answers === answersBefore) continue;
      if ((status === 'completed' || status === 'idle') && last?.answer != null) return last.answer;
      const final = await this.hai.getChanges(this.id, { fromIndex: 0, includeEvents: false, waitForSeconds: 0 });
      return final?.answer ?? null;
    }
  }

  send(message: string): Promise<void> {
    return this.hai.sendMessages(this.id, message);
  }

  cancel(): Promise<void> {
    return this.hai.cancel(this.id);
  }

  private async poll(waitForSeconds: number): Promise<SessionChanges | undefined> {
    const changes = await this.hai.getChanges(this.id, { fromIndex: this.cursor, waitForSeconds });
    const events = changes?.new_events ?? [];
    const reading = readEvents(events, this.cursor);
    for (const t of reading.transitions) {
      if (t.kind === 'status' && t.status && !this.unconfirmed.has(t.status))
        this.unconfirmed.set(t.status, Date.parse(t.at));
    }
    this.answers += reading.answers.length;
    this.cursor += events.length;
    return changes;
  }

  private confirm(status: string): void {
    if (status === this.status) return;
    const happenedMs = this.unconfirmed.get(status);
    if (happenedMs !== undefined && Number.isFinite(happenedMs))
      this.observations.push({ status, happenedMs, observedMs: Date.now() });
    this.unconfirmed.clear();
    this.status = status;
  }
}

/** A one-shot session start to end: its answer and the transitions it saw. */
export async function runPlain(
  hai: HaiClient,
  task: string,
): Promise<{ answer: unknown; observations: Observation[] }> {
  const session = await PlainSession.create(hai, task);
  const answer = await session.wait();
  return { answer, observations: session.observations };
}
