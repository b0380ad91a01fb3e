// The activities of scheduled runs, created with the platform client they depend on.
import { Context } from '@temporalio/activity';
import { withPlatformErrors } from '../activities/failures';
import type { HaiClient } from '../hai/client';

export interface QuotaReading {
  active: number;
  limit: number;
  available: number;
}

export function createScheduleActivities(client: HaiClient) {
  return {
    /** The platform's concurrency quota right now (GET /sessions/quota). */
    async readQuotaForSchedule(): Promise<QuotaReading> {
      const quota = await withPlatformErrors(() => client.getQuota({ signal: Context.current().cancellationSignal }));
      return { active: quota.active, limit: quota.limit, available: quota.available };
    },
  };
}

export type ScheduleActivities = ReturnType<typeof createScheduleActivities>;
