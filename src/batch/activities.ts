// The batch's one activity: how full the platform is, for the batch's window. Created with its client.
import type { HaiClient } from '../hai/client';
import { HaiApiError } from '../hai/errors';
import type { QuotaReading } from './definitions';

const OPEN_STATUSES = ['pending', 'running', 'paused', 'idle', 'awaiting_tool_results'] as const;

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
  };
}

export type BatchActivities = ReturnType<typeof createBatchActivities>;
