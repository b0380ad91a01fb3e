// The activities of the session workflow, created with what they depend on.
import { DEFAULT_MAX_WORKFLOW_TASKS, defaultMaxStartWaits } from '../config';
import type { HaiClient } from '../hai/client';
import { ToolRegistry } from '../tools/registry';
import { checkAnswersActivity } from './check-answers';
import { createSessionActivity } from './create-session';
import { notifyActivity, type NotifySettings } from './notify';
import type { ParkedWatches } from './parked-watches';
import { StatusSweep, type SweepOptions } from './status-sweep';
import { steerSessionActivity } from './steer-session';
import { runToolActivity, submitToolResultsActivity } from './tools';
import { watchSessionActivity } from './watch-session';

export interface ActivityDependencies {
  tools?: ToolRegistry;
  notify?: NotifySettings;
  /** Told when a sweep of lean watches fails (its reads are retried inside; the next sweep runs a second later). */
  onSweepError?: (err: unknown) => void;
  onSlowSweep?: SweepOptions['onSlowSweep'];
  /** Creates that wait at once for their session to start (`WorkerTuning.maxStartWaits`); default: half of `DEFAULT_MAX_WORKFLOW_TASKS`. */
  maxStartWaits?: number;
  /** Where lean watches wait without holding an activity slot (async completion); without it they wait in their activity. */
  parking?: ParkedWatches;
}

export function createActivities(haiClient: HaiClient, deps: ActivityDependencies = {}) {
  const tools = deps.tools ?? new ToolRegistry();
  // Temporal retries activities (typed failures, Retry-After as the next delay); the client repeats resets only.
  const client = haiClient.withRetries('resets');
  // Safe GETs that long or multi-request activities make around their one action (see the watch below).
  const reader = haiClient.withRetries('all');
  return {
    createSession: createSessionActivity(
      client,
      tools,
      deps.maxStartWaits ?? defaultMaxStartWaits(DEFAULT_MAX_WORKFLOW_TASKS),
    ),
    // The watch is a poller that lives for minutes and makes hundreds of safe GETs: one 503 must not cost the
    // attempt, since Temporal's backoff grows across attempts and does not reset on progress. Its GETs are retried
    // inside the attempt (bounded, Retry-After honoured); it fails to Temporal only when that runs out.
    watchSession: watchSessionActivity(
      reader,
      new StatusSweep(reader, { onError: deps.onSweepError, onSlowSweep: deps.onSlowSweep }),
      deps.parking,
    ),
    checkAnswers: checkAnswersActivity(),
    steerSession: steerSessionActivity(client, reader),
    runTool: runToolActivity(tools),
    submitToolResults: submitToolResultsActivity(client),
    notify: notifyActivity(deps.notify ?? {}),
  };
}

export type SessionActivities = ReturnType<typeof createActivities>;
export type { CheckAnswersInput } from './check-answers';
export type { CreateSessionInput, CreatedSession } from './create-session';
export type { NotifyInput } from './notify';
export { ParkedWatches, type Completions } from './parked-watches';
export type { SteerInput } from './steer-session';
export type { RunToolInput } from './tools';
export type { WatchInput, WatchResult, CheckedAnswer } from './watch-session';
