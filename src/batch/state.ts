// The batch's state and everything that changes it, apart from the workflow that drives it (as the
// samples' safe-message-handlers keep state in a class of its own). Deterministic: no I/O, no clocks.
import type { SessionReport } from '../shared/session';
import {
  type AddItemsAck,
  type AddItemsPayload,
  type BatchItem,
  type BatchItemsView,
  type BatchProgress,
  type BatchResult,
  type BatchSettings,
  type BatchSnapshot,
  type ItemCounts,
  PENDING_BYTES,
  type QuotaReading,
  type RetryPayload,
} from './definitions';

const FAILED_WITH_ERRORS = 1_000;
const sizeOf = (item: BatchItem) => JSON.stringify(item).length;

export class BatchState {
  readonly s: BatchSnapshot;
  pendingBytes: number;

  constructor(snapshot: BatchSnapshot) {
    this.s = snapshot;
    this.pendingBytes = snapshot.pending.reduce((n, item) => n + sizeOf(item), 0);
  }

  /** A batch run again (retry-failed after it ended), or continued as new, goes on from its snapshot. */
  static resume(snapshot: BatchSnapshot, now: number, retry?: RetryPayload): BatchState {
    const state = new BatchState(
      snapshot.endedAt === null
        ? snapshot
        : { ...snapshot, cancelled: false, paused: false, startedAt: now, endedAt: null },
    );
    if (retry) {
      state.s.awaitingRetries = !retry.last;
      state.retry(retry);
    }
    return state;
  }

  static initial(settings: BatchSettings, now: number): BatchState {
    return new BatchState({
      settings,
      pages: 0,
      sealed: false,
      awaitingRetries: false,
      paused: false,
      cancelled: false,
      pending: [],
      running: {},
      counts: { received: 0, succeeded: 0, failed: 0, cancelled: 0, budgetExhausted: 0 },
      failed: [],
      notStarted: [],
      steps: 0,
      tokens: 0,
      costUsd: 0,
      startedAt: now,
      endedAt: null,
      window: { allowed: settings.concurrency, quota: null },
    });
  }

  get runningCount(): number {
    return Object.keys(this.s.running).length;
  }

  /** Null when the page may be added (or is a repeat), else why not. */
  pageProblem(page: AddItemsPayload): string | null {
    if (!Number.isInteger(page.page) || page.page < 0) return `page must be a whole number ≥ 0, got ${page.page}`;
    if (page.page > this.s.pages) return `page ${page.page} arrived before page ${this.s.pages}`;
    if (page.page === this.s.pages && this.s.sealed) return 'the batch already has its last page';
    if (page.page === this.s.pages && this.s.cancelled) return 'the batch is cancelled';
    return null;
  }

  isRepeat(page: AddItemsPayload): boolean {
    return page.page < this.s.pages;
  }

  roomFor(page: AddItemsPayload): boolean {
    const bytes = page.items.reduce((n, item) => n + sizeOf(item), 0);
    return this.s.pending.length === 0 || this.pendingBytes + bytes <= PENDING_BYTES;
  }

  addPage(page: AddItemsPayload): AddItemsAck {
    if (this.isRepeat(page)) return { received: this.s.counts.received, added: 0 };
    for (const item of page.items) this.enqueue(item, false);
    this.s.counts.received += page.items.length;
    this.s.pages += 1;
    this.s.sealed = page.last;
    if (this.s.cancelled) this.cancelPending();
    return { received: this.s.counts.received, added: page.items.length };
  }

  /** Failed items go back to the front of the queue, with the same keys (so the same child ids). */
  retry(payload: RetryPayload): AddItemsAck {
    if (payload.last) this.s.awaitingRetries = false;
    let added = 0;
    for (const item of [...payload.items].reverse()) {
      const index = this.s.failed.findIndex((f) => f.key === item.key);
      if (index < 0 || item.key in this.s.running) continue;
      this.s.failed.splice(index, 1);
      this.s.counts.failed -= 1;
      this.enqueue(item, true);
      added += 1;
    }
    return { received: this.s.counts.received, added };
  }

  private enqueue(item: BatchItem, front: boolean): void {
    if (front) this.s.pending.unshift(item);
    else this.s.pending.push(item);
    this.pendingBytes += sizeOf(item);
  }

  /** What a new item reserves of the budget: its own cost cap, else the mean cost of ended items. */
  reserveFor(item: BatchItem): number {
    const cap = item.input.maxCostUsd ?? this.s.settings.defaults.maxCostUsd;
    if (cap !== undefined) return cap;
    const ended = this.s.counts.succeeded + this.s.counts.failed + this.s.counts.cancelled;
    return ended > 0 ? this.s.costUsd / ended : 0;
  }

  reservedUsd(): number {
    return Object.values(this.s.running).reduce((n, r) => n + r.reserveUsd, 0);
  }

  budgetLeft(): boolean {
    const max = this.s.settings.maxCostUsd;
    return max === undefined || this.s.costUsd + this.reservedUsd() < max;
  }

  /** Items wait, and nothing but the window keeps them from starting. */
  hasWork(): boolean {
    return !this.s.paused && !this.s.cancelled && this.s.pending.length > 0 && this.budgetLeft();
  }

  canStart(): boolean {
    return this.hasWork() && this.runningCount < this.s.window.allowed;
  }

  /** Nothing runs and the budget is spent: what waits can never start. */
  get budgetSpent(): boolean {
    return this.s.pending.length > 0 && this.runningCount === 0 && !this.budgetLeft();
  }

  /** With nothing running and the budget spent, nothing more can start: the rest is `budget_exhausted`. */
  exhaustBudgetIfSpent(): void {
    if (!this.budgetSpent) return;
    for (const item of this.s.pending)
      this.s.notStarted.push({ key: item.key, line: item.line, status: 'budget_exhausted' });
    this.s.counts.budgetExhausted += this.s.pending.length;
    this.s.pending = [];
    this.pendingBytes = 0;
  }

  takeNext(): BatchItem {
    const item = this.s.pending.shift()!;
    this.pendingBytes -= sizeOf(item);
    this.s.running[item.key] = { line: item.line, reserveUsd: this.reserveFor(item) };
    return item;
  }

  /** Counts a child's report once; false for a key not running (a repeat, or a stray). */
  finish(report: Pick<SessionReport, 'key' | 'status' | 'steps' | 'tokens' | 'costUsd' | 'error'>): boolean {
    const running = this.s.running[report.key];
    if (!running) return false;
    delete this.s.running[report.key];
    this.s.steps += report.steps;
    this.s.tokens += report.tokens;
    this.s.costUsd += report.costUsd ?? 0;
    if (report.status === 'completed') this.s.counts.succeeded += 1;
    else if (report.status === 'cancelled' && this.s.cancelled) this.s.counts.cancelled += 1;
    else {
      // A session cancelled by someone else than the batch, rejected or timed out did not give an answer: failed.
      this.s.counts.failed += 1;
      // Errors are kept short and for the first failures only: the snapshot must stay far under 2 MB (the
      // children keep the full story, read back by `results`).
      const error = this.s.failed.length < FAILED_WITH_ERRORS ? (report.error ?? report.status).slice(0, 200) : null;
      this.s.failed.push({ key: report.key, line: running.line, error });
    }
    return true;
  }

  cancel(): void {
    this.s.cancelled = true;
    this.cancelPending();
  }

  private cancelPending(): void {
    for (const item of this.s.pending) this.s.notStarted.push({ key: item.key, line: item.line, status: 'cancelled' });
    this.s.counts.cancelled += this.s.pending.length;
    this.s.pending = [];
    this.pendingBytes = 0;
  }

  /** `capAtLimit`: never more than the platform's limit (its two readings are not taken at the same instant). */
  applyQuota(reading: QuotaReading | null, capAtLimit = false): void {
    const { concurrency } = this.s.settings;
    this.s.window.quota = reading;
    if (!reading || reading.available === null) {
      this.s.window.allowed = concurrency;
      return;
    }
    // Our sessions active on the platform plus the free slots is what the batch may hold; sessions left
    // queued mean the platform is full: start nothing more until they run.
    let allowed = reading.open + Math.max(0, reading.available);
    if (reading.queued > 0) allowed = Math.min(allowed, reading.open);
    if (capAtLimit && reading.limit !== null) allowed = Math.min(allowed, reading.limit);
    this.s.window.allowed = Math.min(concurrency, Math.max(1, allowed));
  }

  get done(): boolean {
    return this.s.sealed && !this.s.awaitingRetries && this.s.pending.length === 0 && this.runningCount === 0;
  }

  items(): BatchItemsView {
    return {
      received: this.s.counts.received,
      pending: this.s.pending.map(({ key, line }) => ({ key, line })),
      running: Object.entries(this.s.running).map(([key, { line }]) => ({ key, line })),
      failed: this.s.failed,
      notStarted: this.s.notStarted,
      settings: this.s.settings,
    };
  }

  counts(): ItemCounts {
    return { ...this.s.counts, pending: this.s.pending.length, running: this.runningCount };
  }

  progress(batchId: string, now: number): BatchProgress {
    const counts = this.counts();
    const ended = counts.succeeded + counts.failed + counts.cancelled + counts.budgetExhausted;
    const elapsedSeconds = Math.max(0, ((this.s.endedAt ?? now) - this.s.startedAt) / 1000);
    const ratePerMinute = elapsedSeconds > 0 ? (ended / elapsedSeconds) * 60 : 0;
    const left = counts.pending + counts.running;
    const state = this.s.endedAt
      ? this.s.cancelled
        ? 'cancelled'
        : 'completed'
      : this.s.cancelled
        ? 'cancelling'
        : this.s.paused
          ? 'paused'
          : 'running';
    return {
      batchId,
      state,
      counts,
      total: this.s.sealed ? counts.received : null,
      steps: this.s.steps,
      tokens: this.s.tokens,
      costUsd: this.s.costUsd,
      maxCostUsd: this.s.settings.maxCostUsd ?? null,
      window: this.s.window,
      concurrency: this.s.settings.concurrency,
      ratePerMinute,
      etaSeconds: left === 0 ? 0 : ratePerMinute > 0 ? (left / ratePerMinute) * 60 : null,
      elapsedSeconds,
    };
  }

  result(batchId: string, now: number): BatchResult {
    this.s.endedAt = now;
    const p = this.progress(batchId, now);
    return {
      batchId,
      status: this.s.cancelled ? 'cancelled' : 'completed',
      counts: p.counts,
      steps: this.s.steps,
      tokens: this.s.tokens,
      costUsd: this.s.costUsd,
      elapsedSeconds: p.elapsedSeconds,
      failed: this.s.failed,
      notStarted: this.s.notStarted,
      snapshot: this.s,
    };
  }
}
