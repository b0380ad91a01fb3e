// One loop per worker that follows the status of every session watched in lean mode (`watch: 'lean'`): about once
// a second it pages the platform's list of sessions in the statuses their workflows know (oldest first, 100 a page,
// hai-api.md §2.2) and wakes the watch of each session listed with another status or not listed at all (it moved to
// a status outside the filter, it ended, or a tie at a page boundary hid it: the watch then reads /status itself).
// 10,000 live sessions cost about 100 list requests a second instead of a long-poll each per agent step.
import type { HaiClient } from '../hai/client';
import { UNFINISHED_STATUSES } from '../hai/status';

const LISTABLE: ReadonlySet<string> = new Set(UNFINISHED_STATUSES);

export interface SweepOptions {
  /** Time between the starts of two sweeps. */
  intervalMs?: number;
  /** Sessions per list page: 100 is the newest contract's maximum. */
  pageSize?: number;
  /** When no sweep has succeeded for this long, watches are woken to read /status themselves. */
  staleAfterMs?: number;
  onError?: (err: unknown) => void;
  /** Told of a sweep that took over 5 s: the lean watches' transitions are seen that late. */
  onSlowSweep?: (sweep: { ms: number; pages: number; sessions: number }) => void;
}

const SLOW_SWEEP_MS = 5_000;

interface Watcher {
  status: string;
  since: number;
  wake: () => void;
}

export class StatusSweep {
  private readonly watchers = new Map<string, Set<Watcher>>();
  private running = false;
  private lastSuccess = Date.now();
  private readonly intervalMs: number;
  private readonly pageSize: number;
  private readonly staleAfterMs: number;

  constructor(
    private readonly client: HaiClient,
    private readonly opts: SweepOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 1_000;
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
      if (!this.running) void this.loop();
    });
  }

  private async loop(): Promise<void> {
    this.running = true;
    this.lastSuccess = Date.now();
    try {
      while (this.watchers.size > 0) {
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
        await new Promise((r) => setTimeout(r, Math.max(0, started + this.intervalMs - Date.now())));
      }
    } finally {
      this.running = false;
    }
  }

  /** Returns how many list pages it read. */
  private async sweep(): Promise<number> {
    // Only watches registered before the sweep began can be judged by it: a later one may sit on a page already read.
    const judged = [...this.watchers].flatMap(([id, set]) => [...set].map((w) => ({ id, w })));
    const statuses = [...new Set(judged.map(({ w }) => w.status))].filter((s) => LISTABLE.has(s));
    const listed = new Map<string, string>();
    let createdAfter: string | undefined;
    let pages = 0;
    while (statuses.length > 0) {
      pages++;
      const page = await this.client.listSessions({
        status: statuses,
        sort: ['created_at'],
        size: this.pageSize,
        ...(createdAfter ? { createdAfter } : {}),
      });
      for (const s of page.items) listed.set(s.id, s.status);
      const last = page.items.at(-1);
      // Keyset pages: sessions that leave the filter meanwhile do not shift the ones after them.
      if (!last || page.items.length >= page.total || last.created_at === createdAfter) break;
      createdAfter = last.created_at;
    }
    for (const { id, w } of judged) if (listed.get(id) !== w.status) w.wake();
    return pages;
  }

  private wakeAll(registeredBefore: number): void {
    for (const set of this.watchers.values()) for (const w of set) if (w.since <= registeredBefore) w.wake();
  }
}
