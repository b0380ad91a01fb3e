// Flags of `npm run bench` (issue 13): which scenarios to run, and sizes that override each scenario's defaults.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../../src/temporal/cli-binary';

export const SCENARIOS = ['a', 'b', 'c', 'd', 'e'] as const;
export type Scenario = (typeof SCENARIOS)[number];
/** With no --scenario: (c) is left out, it holds thousands of sessions for many minutes. */
const DEFAULT_RUN: Scenario[] = ['a', 'b', 'd', 'e'];

export interface Config {
  sessions: number;
  steps: number;
  stepMs: number;
  /** Sessions in flight at once: (a) only; (b) starts them all at once. */
  window: number;
  /** (c), (e): starts go in batches of this many, each once the platform holds the batch before it. */
  batch: number;
  /** (c), (e): starts per second at most, 0 for as fast as the platform takes them. */
  startRate: number;
  /** Events per /changes page, as the figures were measured. */
  pageCap: number;
  /** (d): steps of the long one-shot session. */
  longSteps: number;
  /** (d): follow-up messages of the interactive session, and the idle pause before each (and before the end). */
  turns: number;
  gapS: number;
  idleTimeoutS: number;
  /** A scenario still running after this long is stopped and reported as failed. */
  timeoutS: number;
}

const COMMON = {
  window: 200,
  batch: 100,
  startRate: 0,
  pageCap: 3,
  longSteps: 1000,
  turns: 3,
  gapS: 5,
  idleTimeoutS: 3600,
};
const DEFAULTS: Record<Scenario, Config> = {
  a: { ...COMMON, sessions: 1000, steps: 20, stepMs: 500, timeoutS: 900 },
  b: { ...COMMON, sessions: 2000, steps: 30, stepMs: 2000, timeoutS: 1200 },
  // Sessions outlive the start phase (20 starts/s), so that all N are live at once for a while. Few long steps: the
  // simulator keeps every event in one Node heap, and at 300 steps it, not the worker, set the lag. Sessions end at
  // the rate they started: 20/s is what a worker carrying 10,000 live ten-minute sessions sees (16.7/s), and the
  // same for both sides, whatever either could start.
  c: { ...COMMON, sessions: 5000, steps: 100, stepMs: 6000, startRate: 20, timeoutS: 3600 },
  d: { ...COMMON, sessions: 1, steps: 10, stepMs: 5, timeoutS: 900 },
  // Long enough that every session is still running when the worker is killed (all started, all watched), short
  // enough that their next transition comes before the watch's heartbeat timeout: what is measured is the handover.
  e: { ...COMMON, sessions: 500, steps: 45, stepMs: 1000, timeoutS: 900 },
};

const FLAG_OF: Record<keyof Config, string> = {
  sessions: 'sessions',
  steps: 'steps',
  stepMs: 'step-ms',
  window: 'window',
  batch: 'batch',
  startRate: 'start-rate',
  pageCap: 'page-cap',
  longSteps: 'long-steps',
  turns: 'turns',
  gapS: 'gap-s',
  idleTimeoutS: 'idle-timeout-s',
  timeoutS: 'timeout-s',
};

const { values: flags } = parseArgs({
  options: {
    scenario: { type: 'string', multiple: true },
    out: { type: 'string', default: join(PROJECT_ROOT, 'bench', 'results') },
    // (a), (b), (c): skip the plain loop's (and the control's) phase, to iterate on the project (their figures: null).
    'project-only': { type: 'boolean', default: false },
    ...Object.fromEntries(Object.values(FLAG_OF).map((name) => [name, { type: 'string' as const }])),
  },
});

export const OUT_DIR = flags.out;
export const PROJECT_ONLY = flags['project-only'];

/** `--scenario a --scenario c` or `--scenario a,c`; all but (c) when none is given. */
export function chosenScenarios(): Scenario[] {
  const named = (flags.scenario ?? []).flatMap((s) => s.split(',')).map((s) => s.trim().toLowerCase());
  for (const s of named) {
    if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`--scenario must be one of ${SCENARIOS}`);
  }
  return named.length ? (named as Scenario[]) : DEFAULT_RUN;
}

/** The scenario's defaults, with what the flags say instead. */
export function configFor(scenario: Scenario): Config {
  const config = { ...DEFAULTS[scenario] };
  const given: Record<string, unknown> = flags;
  for (const [key, flag] of Object.entries(FLAG_OF) as [keyof Config, string][]) {
    const raw = given[flag];
    if (typeof raw !== 'string') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${flag} must be an integer ≥ 0`);
    config[key] = value;
  }
  return config;
}
