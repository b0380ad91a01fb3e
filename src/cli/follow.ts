// Follows a session workflow until it closes: live transitions on the way, then its result.
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import ora from 'ora';
import type { SessionClient } from '../client';
import type { SessionProgress, SessionResult } from '../shared/session';
import { EXIT } from './exit-codes';
import { exitCodeOf, formatResult, formatTransition, printJson } from './output';

const REFRESH_MS = 1000;

export async function follow(sessions: SessionClient, workflowId: string, opts: { json: boolean }): Promise<number> {
  const handle = sessions.handle(workflowId);
  const live = !opts.json && process.stderr.isTTY;
  const spinner = live ? ora({ text: `${workflowId}: starting`, stream: process.stderr }).start() : undefined;
  let seen = '';
  const show = (p: SessionProgress) => {
    // Transitions are bounded to the most recent ones; print those after the last one printed.
    const lines = p.transitions.map(formatTransition);
    const start = seen ? lines.lastIndexOf(seen) + 1 : 0;
    for (const line of lines.slice(start)) {
      if (spinner) spinner.clear();
      process.stderr.write(`${line}\n`);
    }
    seen = lines[lines.length - 1] ?? seen;
    if (spinner)
      spinner.text = `${p.status} · ${p.steps} steps · turn ${p.turns.length}${p.sessionId ? ` · ${p.sessionId}` : ''}`;
  };

  const result = handle.result();
  let settled: { value: SessionResult } | { error: unknown } | undefined;
  result.then(
    (value) => (settled = { value }),
    (error) => (settled = { error }),
  );
  while (!settled) {
    if (!opts.json) await sessions.progress(workflowId).then(show, () => undefined);
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, REFRESH_MS))]);
  }
  spinner?.stop();

  if ('error' in settled) {
    const err = settled.error;
    if (err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure) {
      if (opts.json) printJson({ workflowId, status: 'cancelled', endedBy: 'workflow-cancel' });
      else console.log('cancelled (the workflow was cancelled)');
      return EXIT.cancelled;
    }
    throw err;
  }
  const value = settled.value;
  if (opts.json) printJson(value);
  else console.log(formatResult(value));
  return exitCodeOf(value);
}
