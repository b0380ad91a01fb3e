// How a worker follows the status of every session it watches in lean mode (`watch: 'lean'`): for each status their
// workflows know, a loop pages the platform's list of sessions in that status (oldest first, 100 a page, hai-api.md
// §2.2) and wakes the watch of each session not listed in it (it moved to another status, it ended, or a tie at a
// page boundary hid it: the watch then reads /status itself).
// Each status has a sweep of its own: the few sessions still `pending` are read in a page a second while the
// thousands `running` take seconds. A sweep rests as long as it took (at least a second between starts), so at most
// half the time goes to listing: 10,000 running sessions cost about 10 list requests a second instead of a long-poll
// each per agent step. A session that ends is seen sooner than a long sweep allows: a second loop lists the
// sessions that finished lately (`finished_after`, a page or two each half second) and wakes their watches at once.
// The sweeps stay the authority: the feed only makes endings quicker to see.
import type { HaiClient, ListSessionsQuery } from '../hai/client';
import type { Page, SessionSummary } from '../hai/schemas';
import { UNFINISHED_STATUSES } from '../hai/status';

const LISTABLE: ReadonlySet<string> = new Set(UNFINISHED_STATUSES);

export interface SweepOptions {
  /** Least time between the starts of two sweeps of a status; a sweep that took longer rests as long as it took. */
  intervalMs?: number;
  /** Time between the starts of two reads of the sessions that finished lately. */
  finishedIntervalMs?: number;
  /** Sessions per list page: 100 is the newest contract's maximum. */
  pageSize?: number;
  /** When a status's sweep has not succeeded for this long, its watches are woken to read /status themselves. */
  staleAfterMs?: number;
  onError?: (err: unknown) => void;
  /** Told of a sweep that took over 5 s: the lean watches' transitions in its status are seen that late, or later. */
  onSlowSweep?: (sweep: { status: string; ms: number; pages: number; sessions: number }) => void;
}

const SLOW_SWEEP_MS = 5_000;
/** Before the feed has seen a finished session it knows nothing of the platform's clock: it looks this far back. */
const FIRST_LOOKBACK_MS = 60_000;
/** Sessions that finished up to this long before the newest one seen are read again: a late write is not missed. */
const FINISHED_OVERLAP_MS = 5_000;

/** The sweep of each status the watches know, and the read of the sessions finished lately. */
type Loop = `sweep:${string}` | 'finished';

interface Watcher {
  status: string;
  since: number;
  wake: () => void;
}

export class StatusSweep {
  private readonly watchers = new Map<string, Set<Watcher>>();
  private readonly loops = new Set<Loop>();
  /** When each status's sweep last succeeded. */
  private readonly lastSuccess = new Map<string, number>();
  private readonly intervalMs: number;
  private readonly finishedIntervalMs: number;
  private readonly pageSize: number;
  private readonly staleAfterMs: number;

  constructor(
    private readonly client: HaiClient,
    private readonly opts: SweepOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 1_000;
    this.finishedIntervalMs = opts.finishedIntervalMs ?? 500;
    this.pageSize = opts.pageSize ?? 100;
    this.staleAfterMs = opts.staleAfterMs ?? 30_000;
  }

  /** Resolves once the session's status may differ from `status`, or after `timeoutMs`; rejects when aborted. */
  moved(sessionId: string, status: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(), timeoutMs);
      const onAbort = () => done(signal.reason ?? new Error('aborted'));
      const watcher: Watcher = { status, since: Date.now(), wake: () => done() };
      const done = (err?: unknown) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        const set = this.watchers.get(sessionId);
        set?.delete(watcher);
        if (set?.size === 0) this.watchers.delete(sessionId);
        if (err) reject(err);
        else resolve();
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort);
      const set = this.watchers.get(sessionId) ?? new Set<Watcher>();
      set.add(watcher);
      this.watchers.set(sessionId, set);
      this.startLoops(status);
    });
  }

  /** Starts the loops a watch in `status` needs: that status's sweep, while a watch waits in it; the feed, while any does. */
  private startLoops(status: string): void {
    const sweep: Loop = `sweep:${status}`;
    if (!this.loops.has(sweep)) {
      this.lastSuccess.set(status, Date.now());
      void this.repeat(
        sweep,
        () => this.watching(status),
        (took) => Math.max(this.intervalMs, 2 * took),
        () => this.sweepRound(status),
      );
    }
    if (!this.loops.has('finished')) {
      let since = Date.now() - FIRST_LOOKBACK_MS;
      void this.repeat(
        'finished',
        () => this.watchers.size > 0,
        () => this.finishedIntervalMs,
        async () => {
          try {
            since = await this.wakeFinished(since);
          } catch (err) {
            this.opts.onError?.(err);
          }
        },
      );
    }
  }

  private watching(status: string): boolean {
    for (const set of this.watchers.values()) for (const w of set) if (w.status === status) return true;
    return false;
  }

  /**
   * The loop leaves its set in the same turn as it finds nothing to watch: a watch added later starts it again.
   * `period`: the time from one round's start to the next's, given how long the round took.
   */
  private async repeat(
    loop: Loop,
    needed: () => boolean,
    period: (tookMs: number) => number,
    round: () => Promise<void>,
  ): Promise<void> {
    this.loops.add(loop);
    try {
      while (needed()) {
        const started = Date.now();
        await round();
        await sleepUntil(started + period(Date.now() - started));
      }
    } finally {
      this.loops.delete(loop);
    }
  }

  private async sweepRound(status: string): Promise<void> {
    const started = Date.now();
    try {
      const { pages, sessions } = await this.sweep(status);
      const ended = Date.now();
      this.lastSuccess.set(status, ended);
      const ms = ended - started;
      if (ms > SLOW_SWEEP_MS) this.opts.onSlowSweep?.({ status, ms, pages, sessions });
    } catch (err) {
      this.opts.onError?.(err);
      if (Date.now() - (this.lastSuccess.get(status) ?? 0) > this.staleAfterMs)
        this.wakeAll(status, Date.now() - this.staleAfterMs);
    }
  }

  /** Wakes the watches of sessions that finished after `since`; returns where the next read starts. */
  private async wakeFinished(since: number): Promise<number> {
    let newest = since + FINISHED_OVERLAP_MS;
    for await (const page of this.pages({ finishedAfter: new Date(since).toISOString() })) {
      for (const s of page.items) {
        for (const w of this.watchers.get(s.id) ?? []) if (w.status !== s.status) w.wake();
        const finished = s.finished_at ? Date.parse(s.finished_at) : NaN;
        if (finished > newest) newest = finished;
      }
    }
    return newest - FINISHED_OVERLAP_MS;
  }

  /** Returns how many list pages it read, and for how many watched sessions. */
  private async sweep(status: string): Promise<{ pages: number; sessions: number }> {
    // Only watches registered before the sweep began can be judged by it: a later one may sit on a page already read.
    const judged = [...this.watchers].flatMap(([id, set]) =>
      [...set].filter((w) => w.status === status).map((w) => ({ id, w })),
    );
    const listed = new Set<string>();
    let pages = 0;
    if (LISTABLE.has(status)) {
      for await (const page of this.pages({ status: [status] })) {
        pages++;
        for (const s of page.items) if (s.status === status) listed.add(s.id);
      }
    }
    for (const { id, w } of judged) if (!listed.has(id)) w.wake();
    return { pages, sessions: judged.length };
  }

  /** Keyset pages, oldest first: sessions that leave the filter meanwhile do not shift the ones after them. */
  private async *pages(filter: ListSessionsQuery): AsyncGenerator<Page<SessionSummary>> {
    let createdAfter: string | undefined;
    for (;;) {
      const page = await this.client.listSessions({
        ...filter,
        sort: ['created_at'],
        size: this.pageSize,
        ...(createdAfter ? { createdAfter } : {}),
      });
      yield page;
      const last = page.items.at(-1);
      if (!last || page.items.length >= page.total || last.created_at === createdAfter) return;
      createdAfter = last.created_at;
    }
  }

  private wakeAll(status: string, registeredBefore: number): void {
    for (const set of this.watchers.values())
      for (const w of set) if (w.status === status && w.since <= registeredBefore) w.wake();
  }
}

function sleepUntil(time: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, time - Date.now())));
}
