// The activities of the session workflow, created with the platform client they depend on.
import type { HaiClient } from '../hai/client';
import { createSessionActivity } from './create-session';
import { steerSessionActivity } from './steer-session';
import { watchSessionActivity } from './watch-session';

export function createActivities(client: HaiClient) {
  return {
    createSession: createSessionActivity(client),
    watchSession: watchSessionActivity(client),
    steerSession: steerSessionActivity(client),
  };
}

export type SessionActivities = ReturnType<typeof createActivities>;
export type { CreateSessionInput, CreatedSession } from './create-session';
export type { SteerInput } from './steer-session';
export type { WatchInput, WatchResult, CheckedAnswer } from './watch-session';
