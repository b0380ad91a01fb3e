// Histories recorded from earlier code (scripts/record-histories.ts) must replay on today's workflow code:
// a change that breaks this would fail every session running when it is deployed. Such a change needs
// `patched()`, or new histories recorded from the code being replaced.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayOnThisCode } from '../helpers/replay';

// One folder per generation of the code that recorded them: the oldest at the top, later ones in subfolders.
const dir = join(import.meta.dirname, 'histories');
const histories = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
const MAIN_PATHS = ['approval-rounds.json', 'interactive-steered.json', 'one-shot.json', 'tools-and-ask-human.json'];

describe('saved session histories', () => {
  it('exist for the main paths of a session, from each generation', () => {
    const lean = [...MAIN_PATHS, 'lean-one-shot.json', 'lean-tools.json'];
    // Their structured and mid-turn sessions recorded patch markers after the create (split-task.test.ts).
    const markersAfterCreate = [...lean, 'structured.json', 'mid-turn-create.json'];
    expect(histories.sort()).toEqual(
      [
        ...MAIN_PATHS,
        ...MAIN_PATHS.map((f) => join('before-local-create', f)),
        ...lean.map((f) => join('lean-watch', f)),
        ...markersAfterCreate.map((f) => join('markers-after-create', f)),
      ].sort(),
    );
  });

  it.each(histories)('%s replays without nondeterminism', async (file) => {
    const history = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    await expect(replayOnThisCode(history, file)).resolves.toBeUndefined();
  });
});
