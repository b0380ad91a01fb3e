// `hai-temporal/workflows`: workflow-safe code only, for users' own workflows, e.g.
// `executeChild(agentSession, { args: [{ task }], taskQueue: 'hai-agents' })`. Every workflow of the worker's
// bundle entry, and the session's signals, updates, queries and result types. No Node modules, zod or undici.
export * from '../workflows';
export * from '../shared/session';
export type { SessionInput } from '../shared/input';
