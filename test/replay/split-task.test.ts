// A session runs local activities inside its workflow tasks (the create, the check of an answer). When a query is
// answered while such an activity's result waits for the workflow, sdk-core 1.24 records the activity's marker in one
// workflow task and what the workflow did with the result in the next. A session whose code depends on where that
// boundary falls cannot be replayed after it (a query, an evicted workflow, another worker): it is stuck. These
// histories are rewritten with the boundary there and must replay on the same code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionInput } from '../../src/shared/input';
import { type Harness, sim, startHarness } from '../helpers/harness';
import { replayOnThisCode } from '../helpers/replay';
import { splitAfterFirstLocalActivity } from '../helpers/split-workflow-task';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

const sessions: [string, SessionInput][] = [
  [
    'a session with an answer schema',
    {
      task: sim({ steps: 2, answer: { n: 7 } }),
      answerSchema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
    },
  ],
  [
    // The last run's first local activity is the check of the answer, which ends the session.
    'the last run of a session with an answer schema that continued as new',
    {
      task: sim({ steps: 2, answer: { n: 8 } }),
      answerSchema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
      continueAsNewEvery: 1,
    },
  ],
  ['a lean one-shot session', { task: sim({ steps: 2, answer: 'lean' }), watch: 'lean' }],
];

describe('a session whose create and what follows it land in different workflow tasks', () => {
  it.each(sessions)('replays: %s', async (_, input) => {
    const handle = await h.sessions.start(input);
    expect((await handle.result()).status).toBe('completed');
    const split = splitAfterFirstLocalActivity(await h.sessions.handle(handle.workflowId).fetchHistory());
    await expect(replayOnThisCode(split, handle.workflowId)).resolves.toBeUndefined();
  });
});
