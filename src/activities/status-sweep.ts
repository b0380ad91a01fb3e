// One loop per worker that follows the status of every session watched in lean mode (`watch: 'lean'`): about once
// a second it pages the platform's list of sessions in the statuses their workflows know (oldest first, 100 a page,
// hai-api.md §2.2) and wakes the watch of each session listed with another status or not listed at all (it moved to
// a status outside the filter, it ended, or a tie at a page boundary hid it: the watch then reads /status itself).
// 10,000 live sessions cost about 100 list requests a second instead of a long-poll each per agent step.
// A sweep that long takes seconds on a busy platform, and a session that ends is seen only when the sweep is over;
// so a second loop lists the sessions that finished lately (`finished_after`, a page or two a second) and wakes
// their watches at once. The sweep stays the authority: the feed only makes endings quicker to see.
import type { HaiClient, ListSessionsQuery } from '../hai/client';
import type { Page, SessionSummary } from '../hai/schemas';
import { UNFINISHED_STATUSES } from '../hai/status';

const LISTABLE: ReadonlySet<string> = new Set(UNFINISHED_STATUSES);

export interface SweepOptions {
  /** Time between the starts of two sweeps. */
  intervalMs?: number;
  /** Time between the starts of two reads of the sessions that finished lately. */
  finishedIntervalMs?: number;
  /** Sessions per list page: 100 is the newest contract's maximum. */
  pageSize?: number;
  /** When no sweep has succeeded for this long, watches are woken to read /status themselves. */
  staleAfterMs?: number;
  onError?: (err: unknown) => void;
  /** Told of a sweep that took over 5 s: the lean watches' transitions are seen that late. */
  onSlowSweep?: (sweep: { ms: number; pages: number; sessions: number }) => void;
}

const SLOW_SWEEP_MS = 5_000;
/** Before the feed has seen a finished session it knows nothing of the platform's clock: it looks this far back. */
const FIRST_LOOKBACK_MS = 60_000;
/** Sessions that finished up to this long before the newest one seen are read again: a late write is not missed. */
const FINISHED_OVERLAP_MS = 5_000;

/** The sweep of the statuses the watches know, and the read of the sessions finished lately. */
type Loop = 'sweep' | 'finished';

interface Watcher {
  status: string;
  since: number;
  wake: () => void;
}

export class StatusSweep {
  private readonly watchers = new Map<string, Set<Watcher>>();
  private readonly loops = new Set<Loop>();
  private lastSuccess = Date.now();
  private readonly intervalMs: number;
  private readonly finishedIntervalMs: number;
  private readonly pageSize: number;
  private readonly staleAfterMs: number;

  constructor(
    private readonly client: HaiClient,
    private readonly opts: SweepOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 1_000;
    this.finishedIntervalMs = opts.finishedIntervalMs ?? 1_000;
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
      this.startLoops();
    });
  }

  /** Starts whichever loop is not running; each runs while any watch waits. */
  private startLoops(): void {
    if (!this.loops.has('sweep')) {
      this.lastSuccess = Date.now();
      void this.repeat('sweep', this.intervalMs, () => this.sweepRound());
    }
    if (!this.loops.has('finished')) {
      let since = Date.now() - FIRST_LOOKBACK_MS;
      void this.repeat('finished', this.finishedIntervalMs, async () => {
        try {
          since = await this.wakeFinished(since);
        } catch (err) {
          this.opts.onError?.(err);
        }
      });
    }
  }

  /** The loop leaves its set in the same turn as it finds no watch: a watch added later starts it again. */
  private async repeat(loop: Loop, intervalMs: number, round: () => Promise<void>): Promise<void> {
    this.loops.add(loop);
    try {
      while (this.watchers.size > 0) {
        const started = Date.now();
        await round();
        await sleepUntil(started + intervalMs);
      }
    } finally {
      this.loops.delete(loop);
    }
  }

  private async sweepRound(): Promise<void> {
    const started = Date.now();
    try {
      const pages = await this.sweep();
      this.lastSuccess = Date.now();
      const ms = this.lastSuccess - started;
      if (ms > SLOW_SWEEP_MS) this.opts.onSlowSweep?.({ ms, pages, sessions: this.watchers.size });
    } catch (err) {
      this.opts.onError?.(err);
      if (Date.now() - this.lastSuccess > this.staleAfterMs) this.wakeAll(Date.now() - this.staleAfterMs);
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

  /** Returns how many list pages it read. */
  private async sweep(): Promise<number> {
    // Only watches registered before the sweep began can be judged by it: a later one may sit on a page already read.
    const judged = [...this.watchers].flatMap(([id, set]) => [...set].map((w) => ({ id, w })));
    const statuses = [...new Set(judged.map(({ w }) => w.status))].filter((s) => LISTABLE.has(s));
    const listed = new Map<string, string>();
    let pages = 0;
    if (statuses.length > 0) {
      for await (const page of this.pages({ status: statuses })) {
        pages++;
        for (const s of page.items) listed.set(s.id, s.status);
      }
    }
    for (const { id, w } of judged) if (listed.get(id) !== w.status) w.wake();
    return pages;
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

  private wakeAll(registeredBefore: number): void {
    for (const set of this.watchers.values()) for (const w of set) if (w.since <= registeredBefore) w.wake();
  }
}

function sleepUntil(time: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, time - Date.now())));
}
