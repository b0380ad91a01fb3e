// The control of (a) and (b): the plainest durable way to run a session, a workflow whose one activity runs the
// plain loop. What it costs over the loop is Temporal's own cost on this machine; what the project costs over it is
// the project's design (watches, search attributes, steering, answers checked).
import { proxyActivities } from '@temporalio/workflow';
import type { OneActivityActivities } from './activities';

const { followPlainly } = proxyActivities<OneActivityActivities>({ startToCloseTimeout: '1 hour' });

export async function oneActivitySession(task: string): Promise<unknown> {
  return followPlainly(task);
}
