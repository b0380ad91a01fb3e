// Reads a batch's items from a JSONL or CSV file and checks every one of them (merged with the batch's
// defaults) against the session input schema, so that nothing starts until the whole file is valid.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { InvalidInputError } from '../client';
import { describeIssues, sessionInputSchema } from '../shared/input';
import type { BatchItem, ItemInput } from './definitions';

/** What a line of a file (or an entry given from code) holds: a session input and, optionally, its key. */
export type ItemSpec = ItemInput & { key?: string | number };

const MAX_PROBLEMS_SHOWN = 20;
const KEY_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;

/** CSV columns and the input fields they fill; a column may use either spelling. */
const CSV_COLUMNS: Record<string, { field: keyof ItemSpec; kind: 'text' | 'number' | 'json' | 'boolean' }> = {
  key: { field: 'key', kind: 'text' },
  task: { field: 'task', kind: 'text' },
  agent: { field: 'agent', kind: 'text' },
  max_steps: { field: 'maxSteps', kind: 'number' },
  max_time_s: { field: 'maxTimeS', kind: 'number' },
  max_cost_usd: { field: 'maxCostUsd', kind: 'number' },
  idle_timeout_s: { field: 'idleTimeoutS', kind: 'number' },
  answer_schema: { field: 'answerSchema', kind: 'json' },
  overrides: { field: 'overrides', kind: 'json' },
  queue: { field: 'queue', kind: 'boolean' },
  watch: { field: 'watch', kind: 'text' },
  lean_takeover_after: { field: 'leanTakeoverAfter', kind: 'text' },
};
const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
for (const [name, column] of Object.entries(CSV_COLUMNS)) CSV_COLUMNS[camel(name)] = column;

export class BatchFileError extends InvalidInputError {
  override name = 'BatchFileError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    const shown = problems.slice(0, MAX_PROBLEMS_SHOWN);
    const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
    super(`${source}: ${problems.length} problem(s), nothing was started:\n  ${shown.join('\n  ')}${more}`);
  }
}

/** Reads and checks a `.jsonl` (or `.ndjson`) or `.csv` file; throws a BatchFileError naming every bad line. */
export function readBatchFile(path: string, defaults: Partial<ItemInput> = {}): BatchItem[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidInputError(
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return parseBatchCsv(text, defaults, path);
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return parseBatchJsonl(text, defaults, path);
  throw new InvalidInputError(`${path}: expected a .jsonl or .csv file`);
}

/** One JSON object per line (a bare JSON string is a task); blank lines are skipped. */
export function parseBatchJsonl(text: string, defaults: Partial<ItemInput> = {}, source = 'input'): BatchItem[] {
  const problems: string[] = [];
  const specs: { line: number; spec: unknown }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) return;
    try {
      const value: unknown = JSON.parse(raw);
      specs.push({ line: i + 1, spec: typeof value === 'string' ? { task: value } : value });
    } catch (err) {
      problems.push(`line ${i + 1}: not valid JSON (${(err as Error).message})`);
    }
  });
  return checkItems(specs, defaults, source, problems);
}

/** A header row naming the columns (key, task, agent, max_steps, max_time_s, max_cost_usd, answer_schema, …). */
export function parseBatchCsv(text: string, defaults: Partial<ItemInput> = {}, source = 'input'): BatchItem[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, info: true, bom: true });
  } catch (err) {
    throw new BatchFileError(source, [(err as Error).message]);
  }
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  const unknown = Object.keys(records[0]?.record ?? {}).filter((c) => !(c in CSV_COLUMNS));
  if (unknown.length)
    throw new BatchFileError(source, [
      `line 1: unknown column(s) ${unknown.join(', ')} (known: ${Object.keys(CSV_COLUMNS)
        .filter((c) => !/[A-Z]/.test(c))
        .join(', ')})`,
    ]);
  if (!header.trim()) throw new BatchFileError(source, ['line 1: expected a header row']);
  const problems: string[] = [];
  const specs: { line: number; spec: unknown }[] = [];
  for (const { record, info } of records) {
    const spec: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(record)) {
      if (value === '') continue;
      const { field, kind } = CSV_COLUMNS[column]!;
      if (kind === 'number') spec[field] = Number(value);
      else if (kind === 'boolean') spec[field] = /^(true|yes|1)$/i.test(value);
      else if (kind === 'json') {
        try {
          spec[field] = JSON.parse(value);
        } catch {
          problems.push(`line ${info.lines}: ${column} is not valid JSON`);
        }
      } else spec[field] = value;
    }
    specs.push({ line: info.lines, spec });
  }
  return checkItems(specs, defaults, source, problems);
}

/** Items given from code: numbered from 1 in the order given. */
export function itemsFrom(specs: ItemSpec[], defaults: Partial<ItemInput> = {}): BatchItem[] {
  return checkItems(
    specs.map((spec, i) => ({ line: i + 1, spec })),
    defaults,
    'items',
    [],
  );
}

function checkItems(
  specs: { line: number; spec: unknown }[],
  defaults: Partial<ItemInput>,
  source: string,
  problems: string[],
): BatchItem[] {
  const items: BatchItem[] = [];
  const keys = new Map<string, number>();
  for (const { line, spec } of specs) {
    const where = `line ${line}`;
    if (!spec || typeof spec !== 'object' || Array.isArray(spec)) {
      problems.push(`${where}: expected a JSON object (or a string: the task)`);
      continue;
    }
    const { key: rawKey, ...input } = spec as Record<string, unknown>;
    if (rawKey !== undefined && rawKey !== null && typeof rawKey !== 'string' && typeof rawKey !== 'number') {
      problems.push(`${where}: key must be a string or a number`);
      continue;
    }
    const key = rawKey === undefined || rawKey === null ? String(line) : String(rawKey);
    if (!KEY_PATTERN.test(key))
      problems.push(`${where}: key ${JSON.stringify(key)} must be 1-128 letters, digits or ._:@-`);
    else if (keys.has(key)) problems.push(`${where}: key "${key}" is already used on line ${keys.get(key)}`);
    else keys.set(key, line);
    for (const field of ['groupId', 'reportTo'] as const)
      if (field in input) problems.push(`${where}: ${field} is set by the batch, not by an item`);
    const merged = { ...defaults, ...input, groupId: 'batch', reportTo: { workflowId: 'batch', key } };
    const parsed = sessionInputSchema.safeParse(merged);
    if (!parsed.success) problems.push(`${where}: ${describeIssues(parsed.error)}`);
    else items.push({ key, line, input: input as ItemInput });
  }
  if (specs.length === 0 && problems.length === 0) problems.push('no items');
  if (problems.length) throw new BatchFileError(source, problems);
  return items;
}
