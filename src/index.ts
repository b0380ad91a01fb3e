// hai-temporal as a library.
export {
  SessionClient,
  InvalidInputError,
  toWorkflowInput,
  type StartSessionInput,
  type SessionHandle,
} from './client';
export { createActivities, type SessionActivities } from './activities';
export { createSessionWorker, runWorker, WORKFLOWS_PATH } from './worker';
export { loadTemporalSettings, resolveTaskQueue, SettingsError } from './config';
export * from './shared/session';
export { sessionInputSchema, type SessionInput, DEFAULT_AGENT } from './shared/input';
export { defineTool, type Tool, type ToolContext } from './tools/registry';
export { verifyNotification, NotificationVerificationError } from './notify/signature';
export { HaiClient, HaiApiError } from './hai';
export { startSimulator, type RunningSimulator, type SimulatorOptions } from './simulator';
