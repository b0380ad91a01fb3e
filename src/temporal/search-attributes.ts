// Search attributes the session workflow keeps up to date, so sessions can be listed and filtered in
// the Web UI, `hai-temporal list` and `hai-temporal pending`. Imported by workflow and client code alike.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The platform session status (queued, running, idle, completed, ...). */
export const HAI_STATUS = defineSearchAttributeKey('HaiStatus', SearchAttributeType.KEYWORD);
/** The platform session id, once created. */
export const HAI_SESSION_ID = defineSearchAttributeKey('HaiSessionId', SearchAttributeType.KEYWORD);
/** What the session waits on a person for: `approval`, `input`, or empty. */
export const HAI_AWAITING = defineSearchAttributeKey('HaiAwaiting', SearchAttributeType.KEYWORD);

/** The batch a session belongs to (set on every child of an `agentBatch`): how a batch's results are found. */
export const HAI_BATCH_ID = defineSearchAttributeKey('HaiBatchId', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [HAI_STATUS, HAI_SESSION_ID, HAI_AWAITING, HAI_BATCH_ID];
