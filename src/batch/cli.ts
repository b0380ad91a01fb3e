// The `hai-temporal batch …` commands: run a file of tasks as one batch, follow it with a progress bar
// (also re-attached), steer it, retry its failures and export its results.
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import type { SessionClient } from '../client';
import { EXIT } from '../cli/exit-codes';
import { printJson } from '../cli/output';
import { duration, oneOf, positiveInt, positiveNumber } from '../cli/parse';
import { BatchClient } from './client';
import {
  type BatchProgress,
  type BatchResult,
  DEFAULT_BATCH_PRIORITY,
  DEFAULT_CONCURRENCY,
  type ItemInput,
} from './definitions';
import { type ExportFormat, formatOf, formatSummary, toCsv, toJsonl, writeResults } from './export';
import { readBatchFile } from './file';

type Run = (action: (sessions: SessionClient) => Promise<number>) => Promise<void>;

const REFRESH_MS = 1000;
const priority = (value: string): number => {
  const n = positiveInt(value);
  if (n > 5) throw new InvalidArgumentError(`expected 1 (first) to 5 (last), got "${value}"`);
  return n;
};

export function addBatchCommands(program: Command, run: Run): void {
  const batch = program
    .command('batch')
    .description('run many agent sessions from one file, within the quota and a budget');

  batch
    .command('run')
    .description('run every task of a .jsonl or .csv file as one batch, with a progress bar')
    .argument('<file>', 'tasks: JSONL (one session input per line, with an optional "key") or CSV with a header')
    .option('-a, --agent <name>', 'platform agent for items that name none')
    .option('--max-steps <n>', 'step cap for items that set none', positiveInt)
    .option('--item-max-cost <usd>', 'force an answer once an item costs this much', positiveNumber)
    .option('--concurrency <n>', 'at most this many sessions at once', positiveInt, DEFAULT_CONCURRENCY)
    .option(
      '--max-cost <usd>',
      'start no new item once the batch has spent (or holds for running items) this much',
      positiveNumber,
    )
    .option(
      '--priority <1-5>',
      'Temporal priority of the batch sessions (interactive sessions run at 3)',
      priority,
      DEFAULT_BATCH_PRIORITY,
    )
    .option('--tenant <key>', 'fairness key: batches of different tenants share workers fairly (default: the batch id)')
    .option('--no-queue', 'at the platform limit, get 429 (retried) instead of queued sessions')
    .option(
      '--watch <mode>',
      'how items are followed: lean (status only, few requests; the default) or events (every step, live)',
      oneOf(['lean', 'events'] as const),
    )
    .option(
      '--lean-takeover-after <duration>',
      'how long a lean item goes unfollowed if its worker dies (default 10m; 30s to 30m)',
      duration,
    )
    .option('--id <batchId>', 'batch id (default: a new unique one); running the same command again resumes sending')
    .option('--out <file>', 'write every item result here at the end (.jsonl or .csv)')
    .option('--detach', 'start and print the batch id without waiting')
    .option('--json', 'machine-readable output (the last line is the summary)')
    .action((file: string, o) =>
      run(async (sessions) => {
        const defaults: Partial<ItemInput> = {
          ...(o.agent ? { agent: o.agent } : {}),
          ...(o.maxSteps ? { maxSteps: o.maxSteps } : {}),
          ...(o.itemMaxCost ? { maxCostUsd: o.itemMaxCost } : {}),
          ...(o.queue === false ? { queue: false } : {}),
          ...(o.watch ? { watch: o.watch } : {}),
          ...(o.leanTakeoverAfter ? { leanTakeoverAfter: o.leanTakeoverAfter } : {}),
        };
        // The whole file is checked before anything starts.
        const items = readBatchFile(file, defaults);
        const batches = new BatchClient(sessions);
        if (!o.json) console.error(`sending ${items.length} item(s)…`);
        const { batchId } = await batches.start(items, {
          ...(o.id ? { id: o.id } : {}),
          concurrency: o.concurrency,
          priority: o.priority,
          defaults,
          ...(o.maxCost ? { maxCostUsd: o.maxCost } : {}),
          ...(o.tenant ? { tenant: o.tenant } : {}),
        });
        if (o.detach) {
          if (o.json) printJson({ batchId, items: items.length });
          else console.log(batchId);
          return EXIT.ok;
        }
        if (!o.json) console.error(`batch ${batchId} (re-attach with: hai-temporal batch watch ${batchId})`);
        return followBatch(batches, batchId, { json: Boolean(o.json), out: o.out });
      }),
    );

  batch
    .command('watch')
    .description('follow a batch with a progress bar until it ends, then print its summary')
    .argument('<batchId>')
    .option('--out <file>', 'write every item result here at the end (.jsonl or .csv)')
    .option('--json', 'machine-readable output')
    .action((id: string, o) => run((s) => followBatch(new BatchClient(s), id, { json: Boolean(o.json), out: o.out })));

  batch
    .command('status')
    .description("a batch's counts by state, rate, ETA, window and cost")
    .argument('<batchId>')
    .option('--json', 'machine-readable output')
    .action((id: string, o) =>
      run(async (s) => {
        const p = await new BatchClient(s).progress(id);
        if (o.json) printJson(p);
        else console.log(`${formatSummary(p)}\n  ${progressLine(p)}`);
        return EXIT.ok;
      }),
    );

  batch
    .command('list')
    .description('batches, newest first')
    .option('--limit <n>', 'at most this many', positiveInt, 50)
    .option('--json', 'machine-readable output (one object per line)')
    .action((o) =>
      run(async (s) => {
        for await (const b of new BatchClient(s).list({ limit: o.limit })) {
          if (o.json) printJson(b);
          else console.log(`${b.batchId}  ${b.status.padEnd(10)} ${b.startTime.toISOString()}`);
        }
        return EXIT.ok;
      }),
    );

  const control = (name: string, description: string, call: (b: BatchClient, id: string) => Promise<unknown>) =>
    batch
      .command(name)
      .description(description)
      .argument('<batchId>')
      .option('--json', 'machine-readable output')
      .action((id: string, o) =>
        run(async (s) => {
          const value = await call(new BatchClient(s), id);
          if (o.json) printJson({ batchId: id, ...(value ?? {}) });
          else
            console.log(
              `${name}: ${id}${value && typeof value === 'object' && 'state' in value ? ` is ${String(value.state)}` : ''}`,
            );
          return EXIT.ok;
        }),
      );
  control('pause', 'start no new item (running ones go on)', (b, id) => b.pause(id));
  control('resume', 'start items again', (b, id) => b.resume(id));
  control('cancel', 'cancel the batch: running sessions are cancelled on the platform, the rest never start', (b, id) =>
    b.cancel(id).then(() => ({ state: 'cancelling' })),
  );
  control('retry-failed', 'run the failed items again (same ids; what succeeded does not run again)', (b, id) =>
    b.retryFailed(id),
  );

  batch
    .command('results')
    .description(
      "every item's result: key, status, answer, validity, outcome, steps, tokens, cost, Agent View URL, error",
    )
    .argument('<batchId>')
    .option('--out <file>', 'write to this file (.jsonl or .csv) instead of stdout')
    .option('--format <format>', 'jsonl or csv (default: from --out, else jsonl)', oneOf(['jsonl', 'csv'] as const))
    .action((id: string, o: { out?: string; format?: ExportFormat }) =>
      run(async (s) => {
        const results = await new BatchClient(s).resultsOf(id);
        if (o.out) {
          writeResults(results, o.out, o.format);
          console.error(`${results.length} result(s) written to ${o.out}`);
        } else process.stdout.write(formatOf(undefined, o.format) === 'csv' ? toCsv(results) : toJsonl(results));
        return EXIT.ok;
      }),
    );
}

function progressLine(p: BatchProgress): string {
  const eta = p.etaSeconds === null ? '?' : `${Math.round(p.etaSeconds)} s`;
  const budget = p.maxCostUsd === null ? '' : ` of $${p.maxCostUsd}`;
  return `window ${p.window.allowed}/${p.concurrency} · ${p.ratePerMinute.toFixed(1)}/min · ETA ${eta} · $${p.costUsd.toFixed(4)}${budget}`;
}

/** Follows a batch until it ends: a progress bar on a terminal, then the summary (and the results file). */
export async function followBatch(
  batches: BatchClient,
  batchId: string,
  opts: { json: boolean; out?: string },
): Promise<number> {
  const handle = batches.handle(batchId);
  const live = !opts.json && process.stderr.isTTY;
  const bar = live
    ? new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format:
            '{bar} {value}/{total} | ok {ok} · failed {failed} · running {running} | {rate}/min | ETA {eta_formatted} | ${cost}',
          hideCursor: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let settled: { value: BatchResult } | { error: unknown } | undefined;
  const result = handle.result();
  result.then(
    (value) => (settled = { value }),
    (error) => (settled = { error }),
  );
  let started = false;
  let lastLine = 0;
  while (!settled) {
    const p = await batches.progress(batchId).catch(() => undefined);
    if (p) {
      const c = p.counts;
      const ended = c.succeeded + c.failed + c.cancelled + c.budgetExhausted;
      const payload = {
        ok: c.succeeded,
        failed: c.failed,
        running: c.running,
        rate: p.ratePerMinute.toFixed(1),
        cost: p.costUsd.toFixed(4),
      };
      if (bar && !started) {
        bar.start(p.total ?? c.received, ended, payload);
        started = true;
      } else if (bar) {
        bar.setTotal(p.total ?? c.received);
        bar.update(ended, payload);
      } else if (!opts.json && Date.now() - lastLine > 10_000) {
        lastLine = Date.now();
        console.error(`${ended}/${p.total ?? c.received} ended · ${progressLine(p)}`);
      }
    }
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, REFRESH_MS))]);
  }
  bar?.stop();
  if ('error' in settled) throw settled.error;
  const summary = settled.value;
  if (opts.out) {
    writeResults(await batches.resultsOf(batchId), opts.out);
    if (!opts.json) console.error(`results written to ${opts.out}`);
  }
  const { snapshot: _snapshot, ...compact } = summary;
  if (opts.json) printJson(compact);
  else console.log(formatSummary(summary));
  if (summary.status === 'cancelled') return EXIT.cancelled;
  return summary.counts.failed > 0 ? EXIT.agentFailed : EXIT.ok;
}
