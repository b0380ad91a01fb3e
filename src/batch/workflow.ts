// A batch of agent sessions: a sliding window of child `agentSession` workflows (Temporal's
// batch-sliding-window sample). Items arrive in pages (updates), children report their end by signal, the
// window follows the platform's quota and the budget, and the batch continues-as-new to bound its history.
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  WorkflowIdReusePolicy,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { SessionInput } from '../shared/input';
import { SESSION_WORKFLOW_TYPE, type SessionResult, sessionFinishedSignal } from '../shared/session';
import { HAI_BATCH_ID } from '../temporal/search-attributes';
import type { BatchActivities } from './activities';
import {
  addItemsUpdate,
  type BatchInput,
  type BatchItem,
  batchItemsQuery,
  batchProgressQuery,
  type BatchResult,
  childWorkflowId,
  pauseBatchUpdate,
  resumeBatchUpdate,
  retryFailedUpdate,
} from './definitions';
import { BatchState } from './state';

const { readQuota, endedChildren } = proxyActivities<BatchActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1s', maximumAttempts: 3 },
});

/** Read the quota at most this often, and this often while the quota holds the window below --concurrency. */
const QUOTA_EVERY_MS = 2_000;
/** Continue-as-new past this many events (Temporal's limit is 51,200) or when Temporal suggests it. */
const HISTORY_EVENTS_PER_RUN = 10_000;
const CANCEL_GRACE = '2 minutes';
/** How often a run looks for children of earlier runs that ended without reporting (terminated, timed out). */
const CARRIED_CHECK_EVERY = '15 seconds';
const CHECK_CARRIED_CHILDREN = 'check-carried-children';
const ITEMS_WATCH_LEAN = 'items-watch-lean';
const WINDOW_WITHIN_LIMIT = 'window-within-quota-limit';

export async function agentBatch(input: BatchInput): Promise<BatchResult> {
  const batchId = workflowInfo().workflowId;
  const state = input.resumeFrom
    ? BatchState.resume(input.resumeFrom, Date.now(), input.retry)
    : BatchState.initial(input.settings, Date.now());
  const { settings } = state.s;
  // Set by a durable timer after each read, never by comparing clocks: workflow time is not replayed identically
  // after a failed workflow task, and a decision on it made a replay schedule a quota read the original never did.
  let quotaStale = true;

  setHandler(batchProgressQuery, () => state.progress(batchId, Date.now()));
  setHandler(batchItemsQuery, () => state.items());
  setHandler(sessionFinishedSignal, (report) => void state.finish(report));
  setHandler(
    addItemsUpdate,
    async (page) => {
      await condition(() => state.roomFor(page) || state.isRepeat(page));
      return state.addPage(page);
    },
    { validator: (page) => throwIf(state.pageProblem(page)) },
  );
  setHandler(retryFailedUpdate, (payload) => state.retry(payload), {
    validator: (_payload) => throwIf(state.s.cancelled ? 'the batch is cancelled' : null),
  });
  const setPaused = (paused: boolean) => {
    state.s.paused = paused;
    return state.progress(batchId, Date.now());
  };
  setHandler(pauseBatchUpdate, () => setPaused(true));
  setHandler(resumeBatchUpdate, () => setPaused(false));
  if (input.resumeFrom && state.runningCount > 0 && patched(CHECK_CARRIED_CHILDREN))
    void checkCarriedChildren(Object.keys(state.s.running)).catch(() => undefined);

  const continueAsNewReady = () =>
    (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_EVENTS_PER_RUN) &&
    allHandlersFinished();

  try {
    for (;;) {
      state.exhaustBudgetIfSpent();
      if (state.done) break;
      if (continueAsNewReady()) return await continueAsNew<typeof agentBatch>({ settings, resumeFrom: state.s });
      if (state.hasWork() && state.runningCount < settings.concurrency) {
        if (quotaStale) await refreshQuota();
        if (state.canStart()) {
          await startItems();
          continue;
        }
      }
      // While the quota holds the window below --concurrency, look again now and then: it may grow back.
      const growable = state.hasWork() && state.s.window.allowed < settings.concurrency;
      await condition(
        () => state.canStart() || state.done || state.budgetSpent || continueAsNewReady(),
        growable ? QUOTA_EVERY_MS : undefined,
      );
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(cancelChildren);
  }
  // Not cancellable: a cancelled batch still ends with its result (what ran, what was cancelled).
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  return state.result(batchId, Date.now());

  async function refreshQuota(): Promise<void> {
    quotaStale = false;
    const reading = await readQuota({ batchId }).catch(() => state.s.window.quota);
    state.applyQuota(reading, patched(WINDOW_WITHIN_LIMIT));
    void sleep(QUOTA_EVERY_MS).then(
      () => (quotaStale = true),
      () => undefined,
    );
  }

  /** This run awaits the results of the children it starts; those of earlier runs it looks up now and then. */
  async function checkCarriedChildren(carried: string[]): Promise<void> {
    for (;;) {
      await sleep(CARRIED_CHECK_EVERY);
      const keys = carried.filter((key) => key in state.s.running);
      if (keys.length === 0) return;
      for (const report of await endedChildren({ batchId, keys }).catch(() => [])) state.finish(report);
    }
  }

  async function startItems(): Promise<void> {
    const starts: Promise<void>[] = [];
    while (state.canStart()) starts.push(startItem(state.takeNext()));
    await Promise.all(starts);
  }

  async function startItem(item: BatchItem): Promise<void> {
    const workflowId = childWorkflowId(batchId, item.key);
    // Items are followed by their status alone unless they say otherwise: a batch's many sessions then cost about a
    // list request per 100 of them a second instead of a request each per agent step.
    const lean = patched(ITEMS_WATCH_LEAN) ? { watch: 'lean' as const } : {};
    const args: SessionInput = {
      ...lean,
      ...settings.defaults,
      ...item.input,
      groupId: batchId,
      reportTo: { workflowId: batchId, key: item.key },
    };
    try {
      // Not cancellable: once asked for, a child's start must be known, so that cancelling the batch cancels it.
      const child = await CancellationScope.nonCancellable(() =>
        startChild<(input: SessionInput) => Promise<SessionResult>>(SESSION_WORKFLOW_TYPE, {
          workflowId,
          args: [args],
          // Children outlive each run of the batch (continue-as-new) and report by signal; cancelling the
          // batch cancels them explicitly.
          parentClosePolicy: ParentClosePolicy.ABANDON,
          // retry-failed runs a failed item again under the same id.
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          priority: { priorityKey: settings.priorityKey, ...(settings.tenant ? { fairnessKey: settings.tenant } : {}) },
          typedSearchAttributes: [{ key: HAI_BATCH_ID, value: batchId }],
          memo: { batchLine: item.line },
        }),
      );
      // A child that ends without reporting (terminated) is still counted, when it ends in this run.
      child.result().then(
        (r) =>
          state.finish({
            key: item.key,
            status: r.status,
            steps: r.steps,
            tokens: 0,
            costUsd: r.costUsd,
            error: r.error,
          }),
        (e: Error) =>
          state.finish({
            key: item.key,
            status: isCancellation(e) ? 'cancelled' : 'failed',
            steps: 0,
            tokens: 0,
            costUsd: null,
            error: e.message,
          }),
      );
    } catch (err) {
      // Already running (a start repeated across a continue-as-new): it reports to this batch all the same.
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      state.finish({
        key: item.key,
        status: 'failed',
        steps: 0,
        tokens: 0,
        costUsd: null,
        error: (err as Error).message,
      });
    }
  }

  /** Cancels every running child (which cancels its platform session) and waits for their reports. */
  async function cancelChildren(): Promise<void> {
    state.cancel();
    await Promise.all(
      Object.keys(state.s.running).map((key) =>
        getExternalWorkflowHandle(childWorkflowId(batchId, key))
          .cancel()
          .catch(() => undefined),
      ),
    );
    await condition(() => state.runningCount === 0, CANCEL_GRACE);
  }
}

function throwIf(problem: string | null): void {
  if (problem) throw new Error(problem);
}
