// Random payloads to every update and signal of a live session: each update is accepted or refused with a clear
// message, no signal breaks the workflow, and afterwards the session still answers queries and can be ended.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const STEERING = ['send', 'reply', 'approve', 'reject', 'pause', 'resume', 'forceAnswer'] as const;
const ENDING = ['cancel', 'end'] as const;

/** What a hostile caller sends: nothing, wrong types, near-miss shapes, oversized and odd strings. */
const payload = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.record(
    {
      message: fc.oneof(fc.string(), fc.anything({ maxDepth: 1 }), fc.constant('x'.repeat(1_000_001))),
      by: fc.oneof(fc.string(), fc.anything({ maxDepth: 1 })),
      reason: fc.oneof(fc.string(), fc.anything({ maxDepth: 1 })),
      feedback: fc.anything({ maxDepth: 1 }),
      comment: fc.anything({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  ),
);
const args = fc.array(payload, { maxLength: 2 });

async function sendUpdate(workflowId: string, name: string, updateArgs: unknown[]): Promise<'accepted' | string> {
  try {
    await h.sessions.handle(workflowId).executeUpdate(name, { args: updateArgs as [] });
    return 'accepted';
  } catch (err) {
    const message =
      err instanceof WorkflowUpdateFailedError ? String((err.cause as Error | undefined)?.message) : String(err);
    return `refused: ${message}`;
  }
}

const clear = (outcome: string) =>
  outcome === 'accepted' ||
  (outcome.length > 'refused: '.length + 5 &&
    !/TypeError|Cannot read|undefined is not|is not a function/.test(outcome));

describe('update and signal validators under random payloads', () => {
  it('accept or clearly refuse every update; the session keeps answering queries and ends cleanly', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 1, ask: 'Which city?' }), idleTimeoutS: 300 });
    await eventually(
      'the question',
      async () => (await h.sessions.progress(handle.workflowId)).awaiting?.kind === 'input',
    );
    const outcomes: string[] = [];

    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...STEERING), args, async (name, updateArgs) => {
        const outcome = await sendUpdate(handle.workflowId, name, updateArgs);
        outcomes.push(`${name}: ${outcome}`);
        expect(clear(outcome), `${name}(${JSON.stringify(updateArgs).slice(0, 200)}) → ${outcome}`).toBe(true);
        // A query answers after each one.
        expect((await h.sessions.progress(handle.workflowId)).phase).not.toBe('ended');
      }),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...STEERING, ...ENDING, 'approve', 'unknownSignal'),
        args,
        async (name, signalArgs) => {
          if ((ENDING as readonly string[]).includes(name)) return; // ending signals are sent below, once
          // Temporal itself may refuse a signal (e.g. over its blob size limit); that refusal must say so.
          await handle
            .signal(name, ...signalArgs)
            .catch((err: Error) => expect(err.message).toMatch(/Failed to signal/));
        },
      ),
      { numRuns: 30 },
    );
    const progress = await h.sessions.progress(handle.workflowId);
    expect(progress.phase).not.toBe('ended');
    expect(outcomes.some((o) => o.includes('refused'))).toBe(true);

    // Ending updates with random payloads: refused clearly, or accepted and the session ends.
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENDING), args, async (name, updateArgs) => {
        const outcome = await sendUpdate(handle.workflowId, name, updateArgs);
        expect(clear(outcome) || /completed|closed|ended|aborted/i.test(outcome), outcome).toBe(true);
      }),
      { numRuns: 8 },
    );
    await h.sessions.end(handle.workflowId).catch(() => undefined);
    const result = await handle.result();
    expect(['completed', 'cancelled']).toContain(result.status);
  });
});
