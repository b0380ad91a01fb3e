// Lean watches that wait without holding an activity (async activity completion). A lean watch only waits for the
// worker's status sweep, yet an activity in flight costs the worker the SDK's state for it (42 KB of main-thread heap,
// and its Rust side), once per live session. So the activity registers here and returns at once; this follows the
// session, heartbeats for it by task token (one per 0.8 × heartbeat timeout, as the SDK would), and completes it by
// task token. A killed worker's parked watches stop heartbeating and are retried elsewhere once their heartbeat
// timeout passes, as before; a worker that shuts down hands them over at once (`handOver`).
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import {
  ActivityCancelledError,
  ActivityNotFoundError,
  ActivityPausedError,
  ActivityResetError,
  type AsyncCompletionClient,
} from '@temporalio/client';

/** What completes activities by task token: an AsyncCompletionClient on the worker's connection. */
export type Completions = Pick<AsyncCompletionClient, 'complete' | 'fail' | 'heartbeat' | 'reportCancellation'>;

/** Why a parked watch stopped before its session moved. */
type Stop = 'cancelled' | 'paused' | 'gone' | 'handover';

interface Parked {
  stop: (why: Stop) => void;
  settled: Promise<void>;
}

const DEFAULT_HEARTBEAT_MS = 60_000;
/** A completion that fails this many times is left to the server: the heartbeats stop, the timeout retries it. */
const SETTLE_TRIES = 3;

export class ParkedWatches {
  private readonly parked = new Set<Parked>();

  constructor(
    private readonly completions: Completions,
    private readonly onError: (what: string, err: unknown) => void = () => undefined,
  ) {}

  /**
   * Runs `follow` for the activity of `taskToken` and completes it with what `follow` returns or throws. `follow`
   * must stop with a rejection once its signal aborts. `details` is what each heartbeat carries.
   */
  park(
    taskToken: Uint8Array,
    heartbeatTimeoutMs: number | undefined,
    details: () => unknown,
    follow: (signal: AbortSignal) => Promise<unknown>,
  ): void {
    const abort = new AbortController();
    let stopped: Stop | undefined;
    const stop = (why: Stop) => {
      stopped ??= why;
      abort.abort(new CancelledFailure(`watch stopped: ${why}`));
    };
    const beatEveryMs = heartbeatTimeoutMs ? heartbeatTimeoutMs * 0.8 : DEFAULT_HEARTBEAT_MS;
    const beat = setInterval(() => void this.heartbeat(taskToken, details(), stop), beatEveryMs);
    const settled = follow(abort.signal).then(
      (result) => this.settle('complete', () => this.completions.complete(taskToken, result)),
      (err) => this.settle('fail', () => this.report(taskToken, stopped, err)),
    );
    const entry: Parked = {
      stop,
      settled: settled.finally(() => {
        clearInterval(beat);
        this.parked.delete(entry);
      }),
    };
    this.parked.add(entry);
  }

  /** Fails every parked watch as retryable, so that another worker takes each over at once; for a worker that stops. */
  async handOver(): Promise<void> {
    const all = [...this.parked];
    for (const p of all) p.stop('handover');
    await Promise.all(all.map((p) => p.settled));
  }

  private report(taskToken: Uint8Array, stopped: Stop | undefined, err: unknown): Promise<void> {
    switch (stopped) {
      case 'gone':
        return Promise.resolve();
      case 'cancelled':
        return this.completions.reportCancellation(taskToken);
      case 'paused':
        return this.completions.fail(taskToken, ApplicationFailure.retryable('the watch was paused', 'WatchPaused'));
      case 'handover':
        return this.completions.fail(
          taskToken,
          ApplicationFailure.retryable('the worker shut down; another worker follows the session', 'WorkerShutdown'),
        );
      default:
        return this.completions.fail(taskToken, err);
    }
  }

  private async heartbeat(taskToken: Uint8Array, details: unknown, stop: (why: Stop) => void): Promise<void> {
    try {
      await this.completions.heartbeat(taskToken, details);
    } catch (err) {
      if (err instanceof ActivityCancelledError) stop('cancelled');
      else if (err instanceof ActivityPausedError || err instanceof ActivityResetError) stop('paused');
      else if (err instanceof ActivityNotFoundError) stop('gone');
      // Anything else is transient: the next beat tries again, and the heartbeat timeout is the judge.
      else this.onError('a heartbeat of a parked lean watch failed', err);
    }
  }

  private async settle(what: string, send: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (err) {
        // Completed, timed out or its workflow closed meanwhile: nothing is waiting for this attempt.
        if (err instanceof ActivityNotFoundError) return;
        if (attempt >= SETTLE_TRIES) return this.onError(`could not ${what} a parked lean watch`, err);
        await new Promise((r) => setTimeout(r, 1000 * 2 ** (attempt - 1)));
      }
    }
  }
}
