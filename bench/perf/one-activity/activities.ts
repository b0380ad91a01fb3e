import type { HaiClient } from '../../../src/hai/client';
import { runPlain } from '../plain-loop';

export const createOneActivityActivities = (hai: HaiClient) => ({
  async followPlainly(task: string): Promise<unknown> {
    return (await runPlain(hai, task)).answer;
  },
});

export type OneActivityActivities = ReturnType<typeof createOneActivityActivities>;
