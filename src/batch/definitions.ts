// Shared definitions of the batch workflow: its input, items, progress and result, and the messages that
// control it. Imported by the workflow, the client library and the CLI alike (no Node modules, no zod).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { SessionInput } from '../shared/input';

export const BATCH_WORKFLOW_TYPE = 'agentBatch';
/** Batch children run below sessions started on their own (Temporal's default priority is 3 of 1..5). */
export const DEFAULT_BATCH_PRIORITY = 4;
export const DEFAULT_CONCURRENCY = 20;
/** At most this many children at once: well under Temporal's 2,000 pending children per run. */
export const MAX_CONCURRENCY = 1_000;
/** Items per page sent to the batch: a page stays far under Temporal's 2 MB payload limit. */
export const PAGE_ITEMS = 500;
export const PAGE_BYTES = 256 * 1024;
/** What the batch holds of items not started yet (their inputs); a page waits for room beyond this. */
export const PENDING_BYTES = 512 * 1024;

/** What an item may set: a session input without what the batch sets itself. */
export type ItemInput = Omit<SessionInput, 'reportTo' | 'groupId'>;

export interface BatchItem {
  /** Unique in the batch: the item's `key`, or its line number. The child's id is `<batch id>/<key>`. */
  key: string;
  /** Line in the file it came from (1-based), for reports; 0 when it came from code. */
  line: number;
  input: ItemInput;
}

export interface BatchSettings {
  concurrency: number;
  /** Start no new item once spent + reserved for running items reaches this (USD). */
  maxCostUsd?: number;
  /** Temporal priority key of the children (1 = first, 5 = last). */
  priorityKey: number;
  /** Fairness key of the children: batches of different tenants share workers fairly. */
  tenant: string;
  /** Applied under every item's own fields. */
  defaults: Partial<ItemInput>;
}

export type ItemStatus = 'succeeded' | 'failed' | 'cancelled' | 'budget_exhausted';

export interface ItemCounts {
  received: number;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  budgetExhausted: number;
}

/** An item that never got a session: the budget ran out, or the batch was cancelled first. */
export interface NotStarted {
  key: string;
  line: number;
  status: 'budget_exhausted' | 'cancelled';
}

/** What the batch keeps between runs (continue-as-new) and returns at the end: compact, never answers. */
export interface BatchSnapshot {
  settings: BatchSettings;
  /** Pages appended so far (the next expected page number). */
  pages: number;
  sealed: boolean;
  /** A batch run again by retry-failed waits for the last page of retries before it may end. */
  awaitingRetries: boolean;
  paused: boolean;
  cancelled: boolean;
  pending: BatchItem[];
  /** Running children by key: their line and the cost reserved for them. */
  running: Record<string, { line: number; reserveUsd: number }>;
  counts: Omit<ItemCounts, 'pending' | 'running'>;
  failed: { key: string; line: number; error: string | null }[];
  notStarted: NotStarted[];
  steps: number;
  tokens: number;
  costUsd: number;
  /** Epoch ms of the batch's start, of its end. */
  startedAt: number;
  endedAt: number | null;
  window: BatchWindow;
}

export interface BatchWindow {
  /** Children the batch may run now: --concurrency, lowered by the platform's quota and queued sessions. */
  allowed: number;
  quota: QuotaReading | null;
}

export interface QuotaReading {
  at: number;
  limit: number | null;
  available: number | null;
  /** This batch's sessions the platform holds as `queued`, and as active. */
  queued: number;
  open: number;
}

export interface BatchInput {
  settings: BatchSettings;
  /** A batch run again by retry-failed starts from its last run's snapshot, with the first page of retries. */
  resumeFrom?: BatchSnapshot;
  retry?: RetryPayload;
}

export interface AddItemsPayload {
  /** Pages are numbered from 0; a page sent again is acknowledged without being added twice. */
  page: number;
  items: BatchItem[];
  /** The last page: the batch ends once every item has ended. */
  last: boolean;
}

export interface RetryPayload {
  /** Failed items to run again, with their original inputs; keys that are not failed are ignored. */
  items: BatchItem[];
  /** In a batch run again by retry-failed: the last page of retries (the batch may end after it). */
  last?: boolean;
}

export interface AddItemsAck {
  received: number;
  added: number;
}

export interface BatchProgress {
  batchId: string;
  state: 'running' | 'paused' | 'cancelling' | 'completed' | 'cancelled';
  counts: ItemCounts;
  total: number | null;
  steps: number;
  tokens: number;
  costUsd: number;
  maxCostUsd: number | null;
  window: BatchWindow;
  concurrency: number;
  /** Items ended per minute since the start. */
  ratePerMinute: number;
  /** Seconds until every item has ended at the current rate; null while unknown. */
  etaSeconds: number | null;
  elapsedSeconds: number;
}

export interface BatchResult {
  batchId: string;
  status: 'completed' | 'cancelled';
  counts: ItemCounts;
  steps: number;
  tokens: number;
  costUsd: number;
  elapsedSeconds: number;
  failed: BatchSnapshot['failed'];
  notStarted: NotStarted[];
  /** What retry-failed resumes from. */
  snapshot: BatchSnapshot;
}

/** One item of a batch's results, as exported (JSONL / CSV). */
export interface ItemResult {
  key: string;
  line: number | null;
  status: ItemStatus | 'running' | 'pending';
  answer: unknown;
  answerValid: boolean | null;
  outcome: string | null;
  steps: number | null;
  tokens: number | null;
  costUsd: number | null;
  agentViewUrl: string | null;
  error: string | null;
  workflowId: string | null;
  sessionId: string | null;
}

export const addItemsUpdate = defineUpdate<AddItemsAck, [AddItemsPayload]>('addItems');
export const retryFailedUpdate = defineUpdate<AddItemsAck, [RetryPayload]>('retryFailed');
export const pauseBatchUpdate = defineUpdate<BatchProgress>('pauseBatch');
export const resumeBatchUpdate = defineUpdate<BatchProgress>('resumeBatch');
export const batchProgressQuery = defineQuery<BatchProgress>('batchProgress');
/** Items by where they are: not started yet, running, failed (to retry), and those that will never start. */
export const batchItemsQuery = defineQuery<BatchItemsView>('batchItems');

export interface BatchItemsView {
  /** Items received so far (absent from workers before it was added). */
  received?: number;
  pending: { key: string; line: number }[];
  /** Items whose session runs now (absent from workers before it was added). */
  running?: { key: string; line: number }[];
  failed: BatchSnapshot['failed'];
  notStarted: NotStarted[];
  settings: BatchSettings;
}

export const childWorkflowId = (batchId: string, key: string): string => `${batchId}/${key}`;
