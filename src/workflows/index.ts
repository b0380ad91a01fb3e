// The workflow bundle's entry: every workflow the worker runs.
export { agentSession } from './agent-session';
export { scheduledRun } from '../schedule/run-workflow';
export { agentBatch } from '../batch/workflow';
