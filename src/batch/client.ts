// The library face of batches: start a batch from items (pages through Update-with-Start, then updates),
// follow it, pause, resume, cancel, retry its failed items, and read every item's result back.
import { WorkflowUpdateFailedError, type Client, WithStartWorkflowOperation } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { InvalidInputError, SessionClient } from '../client';
import type { TemporalSettings } from '../config';
import { sleep } from '../hai/retry';
import type { SessionResult } from '../shared/session';
import { HAI_BATCH_ID } from '../temporal/search-attributes';
import {
  addItemsUpdate,
  BATCH_WORKFLOW_TYPE,
  type BatchInput,
  type BatchItem,
  batchItemsQuery,
  type BatchItemsView,
  batchProgressQuery,
  type BatchProgress,
  type BatchResult,
  type BatchSettings,
  childWorkflowId,
  DEFAULT_BATCH_PRIORITY,
  DEFAULT_CONCURRENCY,
  type ItemInput,
  type ItemResult,
  MAX_CONCURRENCY,
  PAGE_BYTES,
  PAGE_ITEMS,
  pauseBatchUpdate,
  resumeBatchUpdate,
  retryFailedUpdate,
} from './definitions';
import { itemsFrom, type ItemSpec } from './file';
import type { agentBatch } from './workflow';

export interface BatchOptions {
  /** The batch's workflow id (default: a new `hai-batch-…`); also the platform `group_id` of its sessions. */
  id?: string;
  concurrency?: number;
  maxCostUsd?: number;
  /** Temporal priority key of the batch's sessions, 1 (first) to 5 (last); default 4. */
  priority?: number;
  /** Fairness key (default: the batch id; empty: none, so the batch competes with everything else first come, first served). */
  tenant?: string;
  /** Applied under every item's own fields (e.g. agent, maxSteps, answerSchema). */
  defaults?: Partial<ItemInput>;
}

export interface StartedBatch {
  batchId: string;
  items: number;
}

const FETCH_CONCURRENCY = 16;
const ID_PATTERN = /^[A-Za-z0-9._:@-]{1,120}$/;

export class BatchClient {
  readonly temporal: Client;
  constructor(readonly sessions: SessionClient) {
    this.temporal = sessions.temporal;
  }

  static async connect(opts: { temporal?: TemporalSettings; taskQueue?: string } = {}): Promise<BatchClient> {
    return new BatchClient(await SessionClient.connect(opts));
  }

  handle(batchId: string) {
    return this.temporal.workflow.getHandle<typeof agentBatch>(batchId);
  }

  /**
   * Starts a batch and hands it every item, a page at a time (the first page starts it: Update-with-Start).
   * Returns once the last page is in: a batch holds at most ~512 KB of items not started yet, so for a big
   * file this waits while the batch works through the first ones. Running the same call again with the same
   * id resends only what the batch lacks; a batch that already ended is refused (use retryFailed).
   */
  async start(items: BatchItem[] | ItemSpec[], opts: BatchOptions = {}): Promise<StartedBatch> {
    const batchItems = isBatchItems(items) ? items : itemsFrom(items, opts.defaults);
    const batchId = opts.id ?? `hai-batch-${crypto.randomUUID()}`;
    const settings = settingsOf(batchId, opts);
    const pages = paginate(batchItems);
    const start = new WithStartWorkflowOperation<typeof agentBatch>(BATCH_WORKFLOW_TYPE, {
      workflowId: batchId,
      taskQueue: this.sessions.taskQueue,
      args: [{ settings } satisfies BatchInput],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `batch of ${batchItems.length} agent sessions`,
    });
    await this.temporal.workflow.executeUpdateWithStart(addItemsUpdate, {
      args: [{ page: 0, items: pages[0]!, last: pages.length === 1 }],
      startWorkflowOperation: start,
    });
    const handle = this.handle(batchId);
    for (let page = 1; page < pages.length; page++) {
      await handle.executeUpdate(addItemsUpdate, {
        args: [{ page, items: pages[page]!, last: page === pages.length - 1 }],
      });
    }
    return { batchId, items: batchItems.length };
  }

  progress(batchId: string): Promise<BatchProgress> {
    return this.handle(batchId).query(batchProgressQuery);
  }
  items(batchId: string): Promise<BatchItemsView> {
    return this.handle(batchId).query(batchItemsQuery);
  }
  pause(batchId: string): Promise<BatchProgress> {
    return this.handle(batchId).executeUpdate(pauseBatchUpdate);
  }
  resume(batchId: string): Promise<BatchProgress> {
    return this.handle(batchId).executeUpdate(resumeBatchUpdate);
  }
  /** Starts nothing more, cancels every running session (on the platform too); the batch then ends `cancelled`. */
  async cancel(batchId: string): Promise<void> {
    await this.handle(batchId).cancel();
  }
  result(batchId: string): Promise<BatchResult> {
    return this.handle(batchId).result();
  }

  /**
   * Runs the failed items again with the same keys and inputs (so the same child ids: what succeeded never
   * runs twice). A running batch takes them in; a batch that has ended runs again from its last snapshot.
   */
  async retryFailed(batchId: string): Promise<{ retried: number }> {
    const handle = this.handle(batchId);
    const description = await handle.describe();
    const running = description.status.name === 'RUNNING';
    const view = running ? await this.items(batchId) : (await handle.result()).snapshot;
    const failed = view.failed;
    if (failed.length === 0) return { retried: 0 };
    const items: BatchItem[] = [];
    await forEachLimited(failed, FETCH_CONCURRENCY, async (f) => {
      items.push({ key: f.key, line: f.line, input: await this.childInput(childWorkflowId(batchId, f.key)) });
    });
    items.sort((a, b) => a.line - b.line);
    const pages = paginate(items);
    if (running) {
      try {
        for (const page of pages) await handle.executeUpdate(retryFailedUpdate, { args: [{ items: page }] });
        return { retried: items.length };
      } catch (err) {
        if (!(err instanceof WorkflowUpdateFailedError) && !/completed|not found/i.test(String(err))) throw err;
        // It ended meanwhile: run it again below.
      }
    }
    const snapshot = (await handle.result()).snapshot;
    const start = new WithStartWorkflowOperation<typeof agentBatch>(BATCH_WORKFLOW_TYPE, {
      workflowId: batchId,
      taskQueue: this.sessions.taskQueue,
      args: [
        { settings: snapshot.settings, resumeFrom: snapshot, retry: { items: pages[0]!, last: pages.length === 1 } },
      ],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: `batch: retrying ${items.length} failed item(s)`,
    });
    await this.temporal.workflow.executeUpdateWithStart(retryFailedUpdate, {
      args: [{ items: [], last: pages.length === 1 }],
      startWorkflowOperation: start,
    });
    for (let i = 1; i < pages.length; i++)
      await handle.executeUpdate(retryFailedUpdate, { args: [{ items: pages[i]!, last: i === pages.length - 1 }] });
    return { retried: items.length };
  }

  /** The input a child session was started with (from its history), without what the batch set. */
  private async childInput(workflowId: string): Promise<ItemInput> {
    const response = await this.temporal.workflowService.getWorkflowExecutionHistory({
      namespace: this.temporal.options.namespace,
      execution: { workflowId },
      maximumPageSize: 1,
    });
    const payloads = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
    if (!payloads?.length) throw new Error(`no input found for ${workflowId}`);
    const {
      reportTo: _r,
      groupId: _g,
      ...input
    } = await decodeFromPayloadsAtIndex<Record<string, unknown>>(
      this.temporal.options.loadedDataConverter,
      0,
      payloads,
    );
    return input as ItemInput;
  }

  /**
   * Every item's result, in file order: the children's results (found by the `HaiBatchId` search attribute),
   * plus the items that never got a session. Answers come from the children, never from the batch.
   */
  async resultsOf(batchId: string): Promise<ItemResult[]> {
    const view = await this.items(batchId);
    const prefix = `${batchId}/`;
    const children = await this.children(batchId, view);
    // The batch's own view wins over visibility's: what it runs now is running (visibility may still show an
    // earlier, failed run of a retried item, or none), and a failed item queued again is pending.
    for (const item of [...(view.running ?? []), ...view.pending]) children.delete(childWorkflowId(batchId, item.key));
    const results: ItemResult[] = [];
    await forEachLimited([...children], FETCH_CONCURRENCY, async ([workflowId, wf]) => {
      const key = workflowId.slice(prefix.length);
      const base = empty(key, wf.line, workflowId);
      // Its current run (visibility's may be an earlier one), unless the batch's worker predates `running`.
      const child = this.temporal.workflow.getHandle(workflowId, view.running ? undefined : wf.runId);
      try {
        // Visibility lags: a child it lists as running may have closed; its own description is current.
        if (wf.running && (await child.describe()).status.name === 'RUNNING')
          return void results.push({ ...base, status: 'running' });
        const r: SessionResult = await child.result();
        results.push({
          ...base,
          status: r.status === 'completed' ? 'succeeded' : r.status === 'cancelled' ? 'cancelled' : 'failed',
          answer: r.answer,
          answerValid: r.answerValid,
          outcome: r.outcome,
          steps: r.steps,
          tokens: r.usage.reduce((n, u) => n + (u.input_tokens ?? 0) + (u.output_tokens ?? 0), 0),
          costUsd: r.costUsd,
          agentViewUrl: r.agentViewUrl,
          error: r.error,
          sessionId: r.sessionId || null,
        });
      } catch (err) {
        const cancelled = /cancel/i.test(String((err as Error).cause ?? err));
        results.push({ ...base, status: cancelled ? 'cancelled' : 'failed', error: innermostMessage(err) });
      }
    });
    for (const n of view.notStarted) results.push({ ...empty(n.key, n.line, null), status: n.status });
    for (const p of view.pending) results.push({ ...empty(p.key, p.line, null), status: 'pending' });
    for (const r of view.running ?? [])
      results.push({ ...empty(r.key, r.line, childWorkflowId(batchId, r.key)), status: 'running' });
    return results.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || a.key.localeCompare(b.key));
  }

  /**
   * The batch's children, latest run of each, as visibility lists them. Visibility lags: while it lists fewer
   * children than the batch started (items received, less those pending, running or never started), it is read
   * again, for up to LISTING_WAIT_MS.
   */
  private async children(batchId: string, view: BatchItemsView): Promise<Map<string, ListedChild>> {
    const deadline = Date.now() + LISTING_WAIT_MS;
    const query = `${HAI_BATCH_ID.name} = '${batchId.replace(/'/g, "\\'")}'`;
    const accountedFor = new Set(
      [...view.pending, ...view.notStarted, ...(view.running ?? [])].map((item) => childWorkflowId(batchId, item.key)),
    );
    for (;;) {
      const latest = new Map<string, ListedChild>();
      for await (const wf of this.temporal.workflow.list({ query })) {
        const seen = latest.get(wf.workflowId);
        if (seen && seen.start >= wf.startTime.getTime()) continue;
        const memo = (wf.memo ?? {}) as { batchLine?: number };
        latest.set(wf.workflowId, {
          runId: wf.runId,
          line: memo.batchLine ?? null,
          running: wf.status.name === 'RUNNING',
          start: wf.startTime.getTime(),
        });
      }
      const accounted = new Set([...accountedFor, ...latest.keys()]).size;
      if (view.received === undefined || accounted >= view.received || Date.now() >= deadline) return latest;
      await sleep(LISTING_RETRY_MS);
    }
  }

  async *list(opts: { limit?: number; query?: string } = {}) {
    const clauses = [`WorkflowType = '${BATCH_WORKFLOW_TYPE}'`];
    if (opts.query) clauses.push(`(${opts.query})`);
    let count = 0;
    for await (const wf of this.temporal.workflow.list({ query: clauses.join(' AND ') })) {
      if (opts.limit !== undefined && count++ >= opts.limit) return;
      yield {
        batchId: wf.workflowId,
        status: wf.status.name,
        startTime: wf.startTime,
        closeTime: wf.closeTime ?? null,
      };
    }
  }

  close(): Promise<void> {
    return this.sessions.close();
  }
}

function settingsOf(batchId: string, opts: BatchOptions): BatchSettings {
  const problems: string[] = [];
  if (!ID_PATTERN.test(batchId)) problems.push(`id "${batchId}" must be 1-120 letters, digits or ._:@-`);
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY)
    problems.push(`concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got ${concurrency}`);
  const priorityKey = opts.priority ?? DEFAULT_BATCH_PRIORITY;
  if (!Number.isInteger(priorityKey) || priorityKey < 1 || priorityKey > 5)
    problems.push(`priority must be a whole number from 1 (first) to 5 (last), got ${priorityKey}`);
  if (opts.maxCostUsd !== undefined && !(opts.maxCostUsd > 0)) problems.push(`max cost must be > 0 USD`);
  const tenant = opts.tenant ?? batchId;
  if (Buffer.byteLength(tenant) > 64) problems.push('tenant must be at most 64 bytes');
  if (problems.length) throw new InvalidInputError(`invalid batch: ${problems.join('; ')}`);
  return {
    concurrency,
    priorityKey,
    tenant,
    defaults: opts.defaults ?? {},
    ...(opts.maxCostUsd !== undefined ? { maxCostUsd: opts.maxCostUsd } : {}),
  };
}

function isBatchItems(items: BatchItem[] | ItemSpec[]): items is BatchItem[] {
  return items.length > 0 && items.every((i) => 'input' in i && 'line' in i && typeof i.key === 'string');
}

/** Pages of at most PAGE_ITEMS items and about PAGE_BYTES each. */
function paginate(items: BatchItem[]): BatchItem[][] {
  if (items.length === 0) throw new InvalidInputError('a batch needs at least one item');
  const pages: BatchItem[][] = [[]];
  let bytes = 0;
  for (const item of items) {
    const size = JSON.stringify(item).length;
    const page = pages[pages.length - 1]!;
    if (page.length > 0 && (page.length >= PAGE_ITEMS || bytes + size > PAGE_BYTES)) {
      pages.push([item]);
      bytes = size;
    } else {
      page.push(item);
      bytes += size;
    }
  }
  return pages;
}

interface ListedChild {
  runId: string;
  line: number | null;
  running: boolean;
  start: number;
}

const LISTING_WAIT_MS = 30_000;
const LISTING_RETRY_MS = 500;

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const empty = (key: string, line: number | null, workflowId: string | null): Omit<ItemResult, 'status'> => ({
  key,
  line,
  answer: null,
  answerValid: null,
  outcome: null,
  steps: null,
  tokens: null,
  costUsd: null,
  agentViewUrl: null,
  error: null,
  workflowId,
  sessionId: null,
});

function innermostMessage(err: unknown): string {
  let current = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
