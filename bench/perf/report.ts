// A scenario's figures side by side (baseline, project, floor, project/baseline), printed as a compact table and
// written as JSON to bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findTemporalCli, PROJECT_ROOT } from '../../src/temporal/cli-binary';
import { environment } from '../support';
import type { Cores } from './sampler';

export type Cell = number | string | null;

export interface Row {
  metric: string;
  baseline: Cell;
  /** (a) and (b): the plainest durable design (bench/perf/one-activity/), between the loop and the project. */
  control?: Cell;
  project: Cell;
  floor: Cell;
}

export interface ScenarioReport {
  scenario: string;
  title: string;
  config: object;
  rows: Row[];
  /** Printed under the table: what a figure means, what went wrong. */
  notes: string[];
  /** Everything else measured, for the JSON file. */
  details: object;
  ok: boolean;
}

/** Rows of a run without the plain loop's phase (`--project-only`): its figures are not measured, so none is shown. */
export const withoutBaseline = (rows: Row[]): Row[] =>
  rows.map((row) => ({ ...row, baseline: null, ...('control' in row ? { control: null } : {}) }));

export function percentile(values: number[], p: number): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : null;
}

/** What the rest of the machine took meanwhile: figures compare only between runs where this is near 0. */
export const othersNote = (loop: Cores, project: Cores) =>
  `others on the machine took ${show(loop.foreign)} cores during the loop, ${show(project.foreign)} during the project`;

export const show = (cell: Cell): string => {
  if (cell === null) return '—';
  if (typeof cell === 'string') return cell;
  const abs = Math.abs(cell);
  return abs >= 100 || Number.isInteger(cell) ? cell.toFixed(0) : abs >= 10 ? cell.toFixed(1) : cell.toFixed(2);
};

const ratio = (project: Cell, other: Cell | undefined): string =>
  typeof project === 'number' && typeof other === 'number' && other > 0 ? `${(project / other).toFixed(2)}×` : '—';

export function printReport(report: ScenarioReport): void {
  const withControl = report.rows.some((r) => 'control' in r);
  const header = withControl
    ? ['', 'baseline', 'one-activity wf', 'project', 'floor', 'project/baseline', 'project/one-activity']
    : ['', 'baseline', 'project', 'floor', 'project/baseline'];
  const lines = report.rows.map((r) =>
    withControl
      ? [
          r.metric,
          show(r.baseline),
          show(r.control ?? null),
          show(r.project),
          show(r.floor),
          ratio(r.project, r.baseline),
          ratio(r.project, r.control),
        ]
      : [r.metric, show(r.baseline), show(r.project), show(r.floor), ratio(r.project, r.baseline)],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n(${report.scenario}) ${report.title}${report.ok ? '' : '  [INCOMPLETE: see notes]'}`);
  console.log(format(header));
  for (const line of lines) console.log(format(line));
  for (const note of report.notes) console.log(`  - ${note}`);
}

/** bench/results/<date>-perf-<scenario>.json: the machine, the code, the command and every figure. */
export function writeReport(report: ScenarioReport, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-perf-${report.scenario}.json`);
  const env = environment(PROJECT_ROOT, findTemporalCli() ?? 'temporal');
  writeFileSync(
    file,
    JSON.stringify({ environment: env, command: process.argv.slice(2).join(' '), ...report }, null, 1),
  );
  return file;
}
