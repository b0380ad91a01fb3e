// The batch's activities: how full the platform is, for the batch's window, and which children ended without
// reporting. Created with the platform client; Temporal's client comes from the activity context.
import { Context } from '@temporalio/activity';
import type { HaiClient } from '../hai/client';
import type { SessionReport, SessionResult } from '../shared/session';
import { HaiApiError } from '../hai/errors';
import { UNFINISHED_STATUSES } from '../hai/status';
import { childWorkflowId, type QuotaReading } from './definitions';

const LOOKUPS_AT_ONCE = 20;
const OPEN_STATUSES = UNFINISHED_STATUSES.filter((s) => s !== 'queued');

export function createBatchActivities(client: HaiClient) {
  return {
    /**
     * The platform's concurrency quota, and this batch's sessions it holds as queued and as open (by
     * `group_id`, which is the batch id). Null when the platform has no quota route: the window is then
     * --concurrency alone.
     */
    async readQuota({ batchId }: { batchId: string }): Promise<QuotaReading | null> {
      let quota;
      try {
        quota = await client.getQuota();
      } catch (err) {
        if (err instanceof HaiApiError && (err.status === 404 || err.status === 405)) return null;
        throw err;
      }
      const [queued, open] = await Promise.all([
        client.listSessions({ groupId: batchId, status: 'queued', size: 1 }),
        client.listSessions({ groupId: batchId, status: [...OPEN_STATUSES], size: 1 }),
      ]);
      return {
        at: Date.now(),
        limit: quota.limit ?? null,
        available: quota.available ?? null,
        queued: queued.total,
        open: open.total,
      };
    },

    /**
     * Children a previous run of the batch started that have closed: a child terminated or timed out never
     * reports, and only the run that started a child awaits its result. Still running ones are left out.
     */
    async endedChildren({ batchId, keys }: { batchId: string; keys: string[] }): Promise<ChildReport[]> {
      const temporal = Context.current().client;
      const ended: ChildReport[] = [];
      const lookUp = async (key: string) => {
        const handle = temporal.workflow.getHandle(childWorkflowId(batchId, key));
        const { status } = await handle.describe();
        if (status.name === 'RUNNING') return;
        const report: ChildReport = { key, status: 'failed', steps: 0, tokens: 0, costUsd: null, error: null };
        if (status.name === 'COMPLETED') {
          const r: SessionResult = await handle.result();
          Object.assign(report, { status: r.status, steps: r.steps, costUsd: r.costUsd, error: r.error });
        } else {
          report.status = status.name === 'CANCELLED' ? 'cancelled' : 'failed';
          report.error = `the session workflow ended ${status.name.toLowerCase()} without reporting`;
        }
        ended.push(report);
      };
      // A few at a time: a window may carry up to 1,000 children over, and the activity has 30 s.
      for (let i = 0; i < keys.length; i += LOOKUPS_AT_ONCE)
        await Promise.all(keys.slice(i, i + LOOKUPS_AT_ONCE).map(lookUp));
      return ended;
    },
  };
}

export type ChildReport = Pick<SessionReport, 'key' | 'status' | 'steps' | 'tokens' | 'costUsd' | 'error'>;

export type BatchActivities = ReturnType<typeof createBatchActivities>;
