// Follows a session workflow until it closes: live transitions on the way, then its result.
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import ora from 'ora';
import type { SessionClient } from '../client';
import { rootCause } from '../shared/root-cause';
import type { SessionFollow, SessionResult } from '../shared/session';
import { EXIT } from './exit-codes';
import { exitCodeOf, formatResult, formatTransition, printJson } from './output';

const REFRESH_MS = 1000;

export async function follow(sessions: SessionClient, workflowId: string, opts: { json: boolean }): Promise<number> {
  const live = !opts.json && process.stderr.isTTY;
  const spinner = live ? ora({ text: `${workflowId}: starting`, stream: process.stderr }).start() : undefined;
  let since = 0;
  // Each poll asks only for the transitions not printed yet.
  const show = (f: SessionFollow) => {
    for (const t of f.transitions) {
      if (spinner) spinner.clear();
      process.stderr.write(`${formatTransition(t)}\n`);
    }
    since = f.next;
    if (spinner) {
      const cost = f.costUsd !== null ? ` · $${f.costUsd.toFixed(4)}` : '';
      spinner.text = `${f.status} · ${f.steps} steps · turn ${f.turns}${cost}${f.sessionId ? ` · ${f.sessionId}` : ''}`;
    }
  };

  const result = sessions.handle(workflowId).result();
  let settled: { value: SessionResult } | { error: unknown } | undefined;
  result.then(
    (value) => (settled = { value }),
    (error) => (settled = { error }),
  );
  while (!settled) {
    if (!opts.json) await sessions.follow(workflowId, since).then(show, () => undefined);
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, REFRESH_MS))]);
  }
  if (!opts.json) await sessions.follow(workflowId, since).then(show, () => undefined);
  spinner?.stop();

  if ('error' in settled) {
    const err = settled.error;
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cancelled = err.cause instanceof CancelledFailure;
    const error = cancelled ? 'the workflow was cancelled' : rootCause(err);
    if (opts.json) printJson({ workflowId, status: cancelled ? 'cancelled' : 'failed', endedBy: 'workflow', error });
    else console.log(cancelled ? 'cancelled (the workflow was cancelled)' : `failed: ${error}`);
    return cancelled ? EXIT.cancelled : EXIT.agentFailed;
  }
  const value = settled.value;
  if (opts.json) printJson(value);
  else console.log(formatResult(value));
  return exitCodeOf(value);
}
