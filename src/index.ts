// hai-temporal: the client library (start, steer, decide, read sessions). It needs only a Temporal client: the
// worker (`hai-temporal/worker`), the workflow-safe definitions for users' own workflows (`hai-temporal/workflows`)
// and the simulator (`hai-temporal/simulator`) are entries of their own, so a client never loads the worker's
// native bridge.
export {
  SessionClient,
  InvalidInputError,
  toWorkflowInput,
  type StartSessionInput,
  type StartOptions,
  type SessionHandle,
  type SessionListEntry,
} from './client';
export type { SessionResultEntry } from './session-results';
export { loadTemporalSettings, resolveTaskQueue, SettingsError, type TemporalSettings } from './config';
export * from './shared/session';
export { sessionInputSchema, type SessionInput, DEFAULT_AGENT } from './shared/input';
export { verifyNotification, NotificationVerificationError } from './notify/signature';
export { SessionEvents, type IndexedEvent, type StreamOptions, type HistoryOptions } from './events/session-events';
export { BatchClient, type BatchOptions, type StartedBatch } from './batch/client';
export { readBatchFile, parseBatchJsonl, parseBatchCsv, itemsFrom, BatchFileError, type ItemSpec } from './batch/file';
export { toJsonl, toCsv, writeResults } from './batch/export';
export type {
  BatchItem,
  BatchProgress,
  BatchResult,
  ItemResult,
  ItemInput,
  ItemCounts,
  BatchSettings,
} from './batch/definitions';
export {
  ScheduleClient,
  type CreateScheduleOptions,
  type UpdateScheduleOptions,
  type ScheduleOverview,
  type ScheduleListEntry,
  type ScheduleSessionOptions,
} from './schedule/client';
export type { ScheduleTiming, SchedulePolicyOptions } from './schedule/spec';
export type { ScheduledRunEntry, CostProjection } from './schedule/history';
export type { ScheduledRunInput, ScheduledRunResult, OverlapPolicyName } from './schedule/definitions';
