// Adds the platform session id to every log line of an activity that works on one (its input's `sessionId`),
// next to the workflow id and activity type the SDK already adds.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

export const sessionIdLogAttributes: ActivityInterceptorsFactory = () => {
  let sessionId: string | undefined;
  return {
    inbound: {
      execute(input, next) {
        const id = (input.args[0] as { sessionId?: unknown } | undefined)?.sessionId;
        if (typeof id === 'string' && id) sessionId = id;
        return next(input);
      },
    },
    outbound: {
      getLogAttributes(attrs, next) {
        return next(sessionId ? { ...attrs, sessionId } : attrs);
      },
    },
  };
};
