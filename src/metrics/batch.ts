// The hook for batch workflows (workflow-safe): a batch calls these as its items settle, and the worker's
// Prometheus endpoint shows its progress next to the session metrics.
import { metricMeter } from '@temporalio/workflow';
import { METRICS } from './names';

/** One batch item settled with this outcome (completed, failed, ...). */
export function recordBatchItem(outcome: string): void {
  metricMeter.createCounter(METRICS.batchItems).add(1, { outcome });
}

/** A batch's counts, labelled with its workflow id (batches are few; sessions never get a per-id label). */
export function recordBatchProgress(batchId: string, counts: { total: number; done: number; running: number }): void {
  const gauge = metricMeter.createGauge(METRICS.batchProgress, 'int');
  for (const [state, value] of Object.entries(counts)) gauge.set(value, { batch: batchId, state });
}
