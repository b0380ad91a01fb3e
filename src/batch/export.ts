// A batch's results as JSONL (one item per line, answers as JSON) or CSV (answers as JSON text), and the
// summary shown at the end of a batch.
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { BatchProgress, BatchResult, ItemResult } from './definitions';

export type ExportFormat = 'jsonl' | 'csv';

const COLUMNS: (keyof ItemResult)[] = [
  'key',
  'line',
  'status',
  'answer',
  'answerValid',
  'outcome',
  'steps',
  'tokens',
  'costUsd',
  'agentViewUrl',
  'error',
  'workflowId',
  'sessionId',
];

export function formatOf(path: string | undefined, explicit?: ExportFormat): ExportFormat {
  if (explicit) return explicit;
  return path && extname(path).toLowerCase() === '.csv' ? 'csv' : 'jsonl';
}

export function toJsonl(results: ItemResult[]): string {
  return results.map((r) => JSON.stringify(r)).join('\n') + (results.length ? '\n' : '');
}

const csvCell = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function toCsv(results: ItemResult[]): string {
  const rows = results.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(','));
  return [COLUMNS.join(','), ...rows].join('\n') + '\n';
}

export function writeResults(results: ItemResult[], path: string, format?: ExportFormat): void {
  writeFileSync(path, formatOf(path, format) === 'csv' ? toCsv(results) : toJsonl(results));
}

const usd = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`;

export function formatSummary(r: BatchResult | BatchProgress): string {
  const c = r.counts;
  const state = 'status' in r ? r.status : r.state;
  return [
    `batch ${r.batchId}: ${state}`,
    `  succeeded ${c.succeeded} · failed ${c.failed} · cancelled ${c.cancelled} · not started (budget) ${c.budgetExhausted}` +
      (c.pending + c.running ? ` · pending ${c.pending} · running ${c.running}` : ''),
    `  tokens ${r.tokens} · cost ${usd(r.costUsd)} · ${Math.round(r.elapsedSeconds)} s`,
  ].join('\n');
}
