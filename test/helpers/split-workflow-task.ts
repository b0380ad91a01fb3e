// Rewrites a history the way sdk-core 1.24 can record it when a query is answered while a local activity's result
// waits for the workflow: the activity's marker closes one workflow task and what the workflow did with the result
// opens the next (RELIABILITY.md, "a patch marker after a local activity"). Replaying the rewritten history shows
// whether the workflow code depends on where that boundary falls.
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';

/** An event in the JSON form of a history (ids as strings, enums by name). */
type HistoryEvent = Record<string, unknown> & { eventId: string; eventTime?: string };

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';
const INSERTED = 3;

const attributesOf = (event: HistoryEvent) =>
  Object.values(event).filter((a): a is Record<string, unknown> => !!a && typeof a === 'object' && !Array.isArray(a));

/**
 * The history, in its JSON form, with a workflow task (scheduled, started, completed) inserted after its first local
 * activity marker.
 */
export function splitAfterFirstLocalActivity(history: temporal.api.history.v1.IHistory): { events: HistoryEvent[] } {
  const { events } = JSON.parse(historyToJSON(history)) as { events: HistoryEvent[] };
  const marker = (e: HistoryEvent) => e.markerRecordedEventAttributes as Record<string, string> | undefined;
  const at = events.findIndex((e) => marker(e)?.markerName === LOCAL_ACTIVITY_MARKER);
  if (at < 0) throw new Error('the history has no local activity marker');
  const markerId = Number(events[at]!.eventId);
  const completedBefore = marker(events[at]!)!.workflowTaskCompletedEventId;
  const shift = (id: unknown) => String(Number(id) > markerId ? Number(id) + INSERTED : Number(id));
  for (const event of events.slice(at + 1)) {
    event.eventId = shift(event.eventId);
    for (const attributes of attributesOf(event))
      for (const [key, value] of Object.entries(attributes))
        if (key.endsWith('EventId')) attributes[key] = shift(value);
  }
  const [scheduledId, startedId, completedId] = [1, 2, 3].map((n) => String(markerId + n));
  // The commands that followed the marker in its task now belong to the inserted one.
  for (const event of events.slice(at + 1)) {
    const command = attributesOf(event).find((a) => 'workflowTaskCompletedEventId' in a);
    if (!command || command.workflowTaskCompletedEventId !== completedBefore) break;
    command.workflowTaskCompletedEventId = completedId;
  }
  const eventTime = events[at]!.eventTime;
  const scheduled = events.find((e) => e.workflowTaskScheduledEventAttributes)!.workflowTaskScheduledEventAttributes;
  const inserted: HistoryEvent[] = [
    {
      eventId: scheduledId!,
      eventTime,
      eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
      workflowTaskScheduledEventAttributes: { ...(scheduled as object), attempt: 1 },
    },
    {
      eventId: startedId!,
      eventTime,
      eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED',
      workflowTaskStartedEventAttributes: { scheduledEventId: scheduledId, identity: 'split' },
    },
    {
      eventId: completedId!,
      eventTime,
      eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
      workflowTaskCompletedEventAttributes: {
        scheduledEventId: scheduledId,
        startedEventId: startedId,
        identity: 'split',
      },
    },
  ];
  events.splice(at + 1, 0, ...inserted);
  return { events };
}
