// Which faults a request gets, decided once when it arrives (malformed bodies are decided when a 200 is sent).
import type { FaultOptions } from './options';

export interface FaultPlan {
  latencyMs: number;
  /** Answer with this status instead of handling the request. */
  rejectStatus?: number;
  /** Handle the request, then destroy the socket instead of answering: the client cannot know whether it ran. */
  drop: boolean;
  malformedRate: number;
}

export const NO_FAULTS: FaultPlan = { latencyMs: 0, drop: false, malformedRate: 0 };

export function planFaults(faults: FaultOptions, route: string, random: () => number = Math.random): FaultPlan {
  if (faults.routes?.length && !faults.routes.includes(route)) return NO_FAULTS;
  const plan: FaultPlan = { latencyMs: faults.latencyMs, drop: false, malformedRate: faults.malformedRate };
  if (random() < faults.errorRate) plan.rejectStatus = faults.errorStatus;
  else if (random() < faults.rateLimitRate) plan.rejectStatus = 429;
  else plan.drop = random() < faults.dropRate;
  return plan;
}

/** Cuts a JSON body mid-way so it no longer parses. */
export function truncate(body: string): string {
  return body.slice(0, Math.max(1, Math.floor(body.length / 2)));
}
