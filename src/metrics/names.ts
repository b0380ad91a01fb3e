// Names of the project's own metrics, served by the worker's Prometheus endpoint next to Temporal's own
// (`temporal_*`). Metrics recorded in workflows also carry the labels `namespace`, `taskQueue` and
// `workflowType`. Workflow-safe: no imports.
export const METRICS = {
  /** Counter, labels `agent`: session workflows started (first run only, not continue-as-new). */
  sessionsStarted: 'hai_sessions_started',
  /** Counter, labels `agent`, `outcome` (completed, failed, timed_out, cancelled, rejected). */
  sessionsEnded: 'hai_sessions_ended',
  /** Counter, labels `model`, `kind` (input, output, reasoning): tokens of ended sessions. */
  tokens: 'hai_session_tokens',
  /** Histogram (USD), labels `agent`, `model`: the platform's cost of each ended session; its sum is the spend. */
  costUsd: 'hai_session_cost_usd',
  /** Histogram (seconds), label `kind` (approval, input): how long a session waited for a person. */
  personWaitSeconds: 'hai_person_wait_seconds',
  /** Counter, labels `route`, `status_code` (`error` when no response came back): HTTP attempts to the platform. */
  platformRequests: 'hai_platform_requests',
  /** Histogram (seconds), labels `route`, `status_code`: latency of each HTTP attempt. */
  platformRequestSeconds: 'hai_platform_request_seconds',
  /** Counter, labels `outcome`: batch items settled (for batch workflows, see src/metrics/batch.ts). */
  batchItems: 'hai_batch_items',
  /** Gauge, labels `batch`, `state` (total, done, running): a batch's progress. */
  batchProgress: 'hai_batch_progress',
} as const;
