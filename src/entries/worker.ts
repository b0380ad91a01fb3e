// `hai-temporal/worker`: what a process that runs sessions needs: the worker, its activities, tools, and the
// Agents API client. Loads @temporalio/worker (its native bridge); clients import `hai-temporal` instead.
export {
  createSessionWorker,
  runWorker,
  installRuntime,
  WORKFLOWS_PATH,
  WORKFLOW_BUNDLE_OPTIONS,
  type SessionWorkerOptions,
  type RunWorkerOptions,
} from '../worker';
export { createActivities, type SessionActivities, type ActivityDependencies } from '../activities';
export { defineTool, type Tool, type ToolContext, type ToolDefinition } from '../tools/registry';
export { loadWorkerTuning, loadNotifySettings, type WorkerTuning, type NotifySettings } from '../config';
export * from '../hai';
