// The scripted agents both sides run, and how sessions are started and waited for.
import { sleep } from '../support';

/** Each session answers with its own text, so a mixed-up result is caught, not only a missing one. */
export const answerOf = (i: number, turn = 0) => (turn ? `answer-${i}-turn-${turn}` : `answer-${i}`);

export const taskOf = (i: number, steps: number, stepMs: number, turn = 0) =>
  `bench task ${i} [sim ${JSON.stringify({ steps, stepMs, answer: answerOf(i, turn) })}]`;

export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Rejects after `seconds`, so a worker that died or a stuck session ends the scenario instead of hanging it. */
export async function within<T>(seconds: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done after ${seconds} s (--timeout-s)`)), seconds * 1000);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `done` every `everyMs` until it holds. */
export async function until(done: () => Promise<boolean>, everyMs = 1000): Promise<void> {
  while (!(await done())) await sleep(everyMs);
}

/**
 * Launches `n` sessions in batches of `batch`; the batch after next goes once the platform holds this one (`live`, its
 * quota's active count), so at most two batches are on their way. Bursts of thousands of starts timed out sticky
 * workflow tasks (BENCHMARKS.md). A wait over 30 s (sessions that ended already) lets the next batch go anyway.
 * With `perSecond`, no batch goes before its time at that rate.
 */
export async function paced(
  n: number,
  batch: number,
  launch: (i: number) => Promise<void>,
  live: () => Promise<number>,
  perSecond = 0,
): Promise<void> {
  const t0 = Date.now();
  for (let first = 0; first < n; first += batch) {
    const last = Math.min(n, first + batch);
    if (perSecond > 0) await sleep(t0 + (first / perSecond) * 1000 - Date.now());
    await Promise.all(range(last - first).map((k) => launch(first + k)));
    const giveUp = Date.now() + 30_000;
    while ((await live()) < first && Date.now() < giveUp) await sleep(100);
  }
}
