// What a session workflow's history says: its cost (events, tasks, Temporal Cloud's billable actions), the statuses it
// learned and when, and its result; and when those transitions happened on the platform. Read after the fact, so
// measuring costs the sessions nothing.
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time';
import proto from '@temporalio/proto';
import { readEvents } from '../../src/activities/event-transitions';
import { sessionHistory } from '../../src/events/history';
import type { HaiClient } from '../../src/hai/client';
import type { SessionEvent } from '../../src/hai/schemas';
import type { SessionResult, Transition } from '../../src/shared/session';
import { mapLimit } from '../support';
import type { Observation } from './plain-loop';

export type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const { EventType, TimeoutType } = proto.temporal.api.enums.v1;
/** The SDK's marker of a local activity: its `result` detail holds what the activity returned. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** Each workflow's events; none for a workflow that was never started (its start call failed, and says so). */
export async function histories(client: Client, workflowIds: string[]): Promise<HistoryEvent[][]> {
  return mapLimit(workflowIds, 20, async (id) => {
    try {
      return (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return [];
      throw err;
    }
  });
}

export interface Cost {
  events: number;
  workflowTasks: number;
  activityTasks: number;
  /** Per kind of Temporal Cloud action; heartbeats are not in a history, the caller adds them. */
  actions: Record<string, number>;
}

/**
 * Billable actions as Temporal Cloud defines them (https://docs.temporal.io/cloud/actions), from one run's history:
 * the start (and a continue-as-new's next start), each activity attempt, the local activities of one workflow task as
 * one, timers, search-attribute upserts (not those of TemporalChangeVersion alone), signals received and sent, updates
 * accepted, child workflows started. Not in a history, so not here: queries, rejected updates and heartbeats.
 */
export function cost(events: HistoryEvent[]): Cost {
  const actions: Record<string, number> = {};
  const add = (kind: string, n = 1) => (actions[kind] = (actions[kind] ?? 0) + n);
  const localActivityTasks = new Set<string>();
  let workflowTasks = 0;
  let activityTasks = 0;
  for (const e of events) {
    switch (e.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
        add('workflow started');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        workflowTasks++;
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        // Only the last attempt's start is recorded; it carries the attempt number.
        const attempts = e.activityTaskStartedEventAttributes?.attempt ?? 1;
        activityTasks += attempts;
        add('activity attempts', attempts);
        break;
      }
      case EventType.EVENT_TYPE_MARKER_RECORDED: {
        const marker = e.markerRecordedEventAttributes;
        if (marker?.markerName === LOCAL_ACTIVITY_MARKER)
          localActivityTasks.add(String(marker.workflowTaskCompletedEventId));
        break;
      }
      case EventType.EVENT_TYPE_TIMER_STARTED:
        add('timers');
        break;
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const keys = Object.keys(
          e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {},
        );
        if (keys.some((k) => k !== 'TemporalChangeVersion')) add('search-attribute upserts');
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
      case EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        add('signals');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        add('updates');
        break;
      case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        add('child workflows');
        break;
    }
  }
  if (localActivityTasks.size) add('local activities (per workflow task)', localActivityTasks.size);
  return { events: events.length, workflowTasks, activityTasks, actions };
}

export const totalActions = (c: Cost) => Object.values(c.actions).reduce((a, b) => a + b, 0);

const decode = (payload: proto.temporal.api.common.v1.IPayload | null | undefined): unknown =>
  payload ? defaultPayloadConverter.fromPayload(payload) : undefined;

/** A status the workflow learned, and when: the completion of the workflow task that applied it (and upserted HaiStatus). */
export interface Applied {
  status: string;
  observedMs: number;
}

/** What an activity returned: a (remote) activity's completion, or a local activity's marker. */
function resultOf(e: HistoryEvent): unknown {
  const marker = e.markerRecordedEventAttributes;
  if (marker?.markerName === LOCAL_ACTIVITY_MARKER) return decode(marker.details?.result?.payloads?.[0]);
  return decode(e.activityTaskCompletedEventAttributes?.result?.payloads?.[0]);
}

/** Each status the workflow learned from an activity's result (the create's, a watch's, a steer's) that it did not know. */
export function applied(events: HistoryEvent[]): Applied[] {
  const seen: Applied[] = [];
  let known: string | undefined;
  let applying: string | undefined;
  let lastTaskMs = NaN;
  for (const e of events) {
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
      lastTaskMs = tsToMs(e.eventTime);
      if (applying) seen.push({ status: applying, observedMs: lastTaskMs });
      applying = undefined;
      continue;
    }
    const status = (resultOf(e) as { status?: unknown } | undefined)?.status;
    if (typeof status !== 'string' || status === known) continue;
    known = status;
    // A local activity runs inside the workflow task that records it; an activity's result waits for the next task.
    if (e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED) seen.push({ status, observedMs: lastTaskMs });
    else applying = status;
  }
  return seen;
}

/** The status transitions of a platform session, each at the time the platform stamped the event that carried it. */
export async function platformTransitions(hai: HaiClient, sessionId: string): Promise<Transition[]> {
  const events: SessionEvent[] = [];
  for await (const event of sessionHistory(hai, sessionId)) events.push(event);
  return readEvents(events, 0).transitions.filter((t) => t.kind === 'status');
}

/**
 * Transition lag: each status the workflow applied, matched with the platform transition it reports (the first one to
 * that status after the one matched before). Both clocks are this machine's.
 */
export function observations(statuses: Applied[], transitions: Transition[]): Observation[] {
  const seen: Observation[] = [];
  let next = 0;
  for (const { status, observedMs } of statuses) {
    const found = transitions.findIndex((t, i) => i >= next && t.status === status);
    if (found < 0) continue;
    seen.push({ status, happenedMs: Date.parse(transitions[found]!.at), observedMs });
    next = found + 1;
  }
  return seen;
}

/** The platform session of a workflow's history: the create activity's result names it. */
export function sessionIdOf(events: HistoryEvent[]): string | undefined {
  for (const e of events) {
    const id = (resultOf(e) as { sessionId?: unknown } | undefined)?.sessionId;
    if (typeof id === 'string') return id;
  }
  return undefined;
}

/** Transition lag of the workflows of `histories`, read with a client of their platform tenant. */
export function workflowObservations(hai: HaiClient, histories: HistoryEvent[][]): Promise<Observation[][]> {
  return mapLimit(histories, 20, async (events) => {
    const sessionId = sessionIdOf(events);
    return sessionId ? observations(applied(events), await platformTransitions(hai, sessionId)) : [];
  });
}

/** The session's result, from the history's closing event; undefined while it runs or when it failed. */
export function result(events: HistoryEvent[]): SessionResult | undefined {
  const completed = events.at(-1)?.workflowExecutionCompletedEventAttributes;
  return decode(completed?.result?.payloads?.[0]) as SessionResult | undefined;
}

/**
 * Workflow tasks that timed out: on the worker's sticky queue (schedule-to-start: the server then sends the task to
 * the task queue, and the worker replays the workflow from its history) or in the worker (start-to-close).
 */
export function workflowTaskTimeouts(histories: HistoryEvent[][]): { sticky: number; inWorker: number } {
  let sticky = 0;
  let inWorker = 0;
  for (const e of histories.flat()) {
    if (timedOutOnStickyQueue(e)) sticky++;
    else if (e.workflowTaskTimedOutEventAttributes?.timeoutType === TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE) inWorker++;
  }
  return { sticky, inWorker };
}

/** A workflow task that waited past the sticky queue's schedule-to-start timeout (only sticky tasks have one). */
export function timedOutOnStickyQueue(e: HistoryEvent): boolean {
  return e.workflowTaskTimedOutEventAttributes?.timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START;
}
