// The session workflow's activities, with the timeouts and retry policies that fit each kind of call.
// Platform errors arrive as typed failures: non-retryable when repeating cannot help, with the server's
// Retry-After as the next delay (src/activities/failures.ts), so these policies only bound the rest.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { SessionActivities } from '../activities';

// A create may wait out a platform outage or a full quota for up to an hour; it heartbeats while in flight, so
// a killed worker's call is retried within seconds, and its idempotency key makes every retry the same session.
export const { createSession } = proxyActivities<SessionActivities>({
  startToCloseTimeout: '3 minutes',
  scheduleToCloseTimeout: '1 hour',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

// Newer runs try the create once in their first workflow task: a local activity has no task or workflow task of
// its own, which takes a one-shot session from 20 history events to 17 (BENCHMARKS.md). A worker killed mid-create
// loses the workflow task; the next one tries again under the same idempotency key, so the same session.
export const { createSession: createSessionInWorkflowTask } = proxyLocalActivities<SessionActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 1 },
});

// Short calls; they heartbeat while in flight, so a killed worker's call is retried within seconds.
export const { steerSession, submitToolResults, notify } = proxyActivities<SessionActivities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 12 },
});

// A killed worker's watch is retried elsewhere once its heartbeat is missed for 40 s (a minute before 2026-11-25: the
// recovery benchmark's bound); the activity heartbeats every 8 s and the SDK forwards one per 32 s.
export const { watchSession } = proxyActivities<SessionActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '40 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

// A lean watch waits on its worker's status sweep, parked, and heartbeats by task token every 0.8 × its heartbeat
// timeout: the session's `leanTakeoverAfter`, 10 minutes unless set (150 s before 2026-12-07). Heartbeats were most of
// the dev server's load at 10,000 live sessions and held their endings back (BENCHMARKS.md, issue 13, fifth and tenth
// passes); each is a billable action on Temporal Cloud. The price: a killed worker's lean watches are taken over
// after that long (an events watch's after 40 s). A worker that stops hands them over at once. Activity options are
// not part of replay, so running histories keep going with the new timeout.
const DEFAULT_LEAN_TAKEOVER_MS = 10 * 60_000;
export const leanWatchSession = (takeoverAfterMs = DEFAULT_LEAN_TAKEOVER_MS) =>
  proxyActivities<SessionActivities>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: takeoverAfterMs,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  }).watchSession;

// Users' tools: retried a few times, then their error goes back to the agent.
export const { runTool } = proxyActivities<SessionActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 4 },
});

// Answers are checked against the answer schema in the worker (Ajv stays out of the workflow bundle), once per
// answered turn: a local activity, so the schema travels with answers only.
export const { checkAnswers } = proxyLocalActivities<SessionActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});
