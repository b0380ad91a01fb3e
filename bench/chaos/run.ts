// Chaos run (issue 14): mixed agent sessions on two child-process workers while a random worker is killed with
// SIGKILL every 10-20 s, the Temporal dev server is killed and restarted (state on disk), and the simulated platform
// answers 5xx, 429 with Retry-After, slowly and with dropped connections. Then it checks that nothing was lost,
// started twice, read twice or left running. Fixed seed; figures go to RELIABILITY.md.
//
//   npx tsx bench/chaos/run.ts [--sessions 60] [--batch 20] [--seed 14] [--temporal-kills 2] [--chaos-s 90]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode } from '@temporalio/worker';
import { BatchClient } from '../../src/batch/client';
import { SessionClient } from '../../src/client';
import { HaiClient } from '../../src/hai/client';
import { ScheduleClient } from '../../src/schedule/client';
import { rootCause } from '../../src/shared/root-cause';
import { approveUpdate, replyUpdate, type SessionResult } from '../../src/shared/session';
import { startSimulator } from '../../src/simulator';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../src/worker';
import { DevServer, freePort, SupervisedWorker } from './processes';

const { values: flags } = parseArgs({
  options: {
    sessions: { type: 'string', default: '60' },
    batch: { type: 'string', default: '20' },
    seed: { type: 'string', default: '14' },
    'temporal-kills': { type: 'string', default: '2' },
    'chaos-s': { type: 'string', default: '90' },
  },
});
const SESSIONS = Number(flags.sessions);
const BATCH = Number(flags.batch);
const TEMPORAL_KILLS = Number(flags['temporal-kills']);
const CHAOS_MS = Number(flags['chaos-s']) * 1000;
const SEED = Number(flags.seed);

/** mulberry32: the same seed, the same kills at the same moments and the same session mix. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sim = (script: Record<string, unknown>, task: string) => `${task} [sim ${JSON.stringify(script)}]`;
const t0 = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`);

/** Repeats a client call through Temporal outages (the dev server is killed on purpose). */
async function retrying<T>(what: string, call: () => Promise<T>, deadlineMs = 300_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      const message = String((err as Error).message);
      const transient =
        /UNAVAILABLE|DEADLINE|ECONNREFUSED|connect|Connection|aborted|CANCELLED|timed out|ServiceError|unavailable|14 |4 /i.test(
          message,
        ) || (err as Error).name === 'ServiceError';
      if (!transient || Date.now() > deadline) throw new Error(`${what}: ${message}`, { cause: err });
      await sleep(1000);
    }
  }
}

type Kind = 'one-shot' | 'structured' | 'interactive' | 'approval' | 'tool';
const KINDS: Kind[] = ['one-shot', 'structured', 'interactive', 'approval', 'tool'];

interface Outcome {
  kind: Kind | 'batch item' | 'scheduled run';
  workflowId: string;
  ok: boolean;
  why?: string;
  endedAt: number;
  result?: SessionResult;
  replyText?: string;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hai-chaos-'));
  const temporal = new DevServer(await freePort(), join(dir, 'temporal.db'));
  await temporal.start();
  const simulator = await startSimulator({ port: 0, stepMs: 700, concurrencyLimit: 10_000 });
  const faults = {
    errorRate: 0.1,
    errorStatus: 503,
    rateLimitRate: 0.05,
    retryAfterS: 1,
    latencyMs: 30,
    dropRate: 0.02,
    malformedRate: 0,
  };
  simulator.setFaults(faults);
  log(
    `Temporal dev server on ${temporal.address} (db ${dir}), simulator on ${simulator.url} with 10 % 503, 5 % 429, 2 % drops, 30 ms latency`,
  );

  const { code } = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLE_OPTIONS,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
  });
  const bundle = join(dir, 'bundle.js');
  writeFileSync(bundle, code);
  const taskQueue = `chaos-${SEED}-${Date.now()}`;
  const workerEnv = {
    TEMPORAL_ADDRESS: temporal.address,
    HAI_TEMPORAL_TASK_QUEUE: taskQueue,
    HAI_BASE_URL: simulator.url,
    HAI_API_KEY: 'hk-chaos',
    HAI_TEMPORAL_LOG_LEVEL: 'ERROR',
  };
  const workers = ['worker-a', 'worker-b'].map(
    (name) => new SupervisedWorker(name, workerEnv, ['--workflow-bundle', bundle, '--tools', 'bench/chaos/tools.ts']),
  );
  workers.forEach((w) => w.start());

  const connection = await Connection.connect({ address: temporal.address });
  const sessions = new SessionClient(new Client({ connection }), taskQueue);
  const schedules = ScheduleClient.fromSessions(sessions);
  const batches = new BatchClient(sessions);
  const outcomes: Outcome[] = [];

  // ---- chaos: worker kills, Temporal kills, platform faults -------------------------------------------------------
  let chaosOn = true;
  let temporalKills = 0;
  let lastFaultAt = Date.now();
  const chaos = (async () => {
    const temporalAt = Array.from({ length: TEMPORAL_KILLS }, (_, i) => ((i + 1) * CHAOS_MS) / (TEMPORAL_KILLS + 1));
    let next = 10_000 + random() * 10_000;
    const start = Date.now();
    while (Date.now() - start < CHAOS_MS) {
      await sleep(500);
      const elapsed = Date.now() - start;
      if (temporalAt.length && elapsed >= temporalAt[0]!) {
        temporalAt.shift();
        temporalKills++;
        log(`kill -9 Temporal dev server (${temporalKills})`);
        await temporal.kill9();
        await sleep(3000);
        await temporal.start();
        log('Temporal dev server back');
        lastFaultAt = Date.now();
      }
      if (elapsed >= next) {
        const victim = workers[Math.floor(random() * workers.length)]!;
        log(`kill -9 ${victim.name}`);
        await victim.kill9();
        lastFaultAt = Date.now();
        next = elapsed + 10_000 + random() * 10_000;
      }
    }
    chaosOn = false;
    simulator.setFaults({ errorRate: 0, rateLimitRate: 0, latencyMs: 0, dropRate: 0 });
    lastFaultAt = Date.now();
    log('chaos over: no more kills, platform faults off');
  })();

  // ---- the schedule (every 10 s) and the batch ---------------------------------------------------------------------
  const scheduleName = `${taskQueue}-every-10s`;
  await retrying('create schedule', () =>
    schedules.create(scheduleName, {
      every: '10s',
      task: sim({ steps: 2, answer: 'scheduled answer' }, 'scheduled chaos task'),
      quotaWait: '1m',
    }),
  );
  const batchId = `${taskQueue}-batch`;
  const batchItems = Array.from({ length: BATCH }, (_, k) => ({
    key: `item-${k}`,
    task: sim({ steps: 2, answer: `batch answer ${k}` }, `batch chaos ${k}`),
  }));
  const batchDone = BATCH
    ? (async () => {
        await retrying('start batch', () => batches.start(batchItems, { id: batchId, concurrency: 10 }));
        for (;;) {
          const progress = await retrying('batch progress', () => batches.progress(batchId));
          if (progress.state === 'completed' || progress.state === 'cancelled') break;
          await sleep(2000);
        }
        const results = await retrying('batch results', () => batches.resultsOf(batchId));
        for (const r of results) {
          const expected = `batch answer ${r.key.slice('item-'.length)}`;
          outcomes.push({
            kind: 'batch item',
            workflowId: r.workflowId ?? r.key,
            ok: r.status === 'succeeded' && r.answer === expected,
            why: r.status === 'succeeded' ? `answer ${JSON.stringify(r.answer)}` : `status ${r.status}`,
            endedAt: Date.now(),
          });
        }
        if (results.length !== BATCH)
          outcomes.push({
            kind: 'batch item',
            workflowId: batchId,
            ok: false,
            why: `${results.length} results for ${BATCH} items`,
            endedAt: Date.now(),
          });
      })()
    : Promise.resolve();

  // ---- the sessions, started over the first third of the chaos ------------------------------------------------------
  const drive = async (i: number, kind: Kind): Promise<void> => {
    const id = `${taskQueue}-${kind}-${i}`;
    const progress = () => retrying('progress', () => sessions.progress(id));
    const waitFor = async (what: string, check: (p: Awaited<ReturnType<typeof progress>>) => boolean) => {
      for (;;) {
        const p = await progress();
        if (check(p)) return;
        if (p.phase === 'ended') throw new Error(`ended while waiting for ${what}`);
        await sleep(500);
      }
    };
    let expected: unknown;
    let replyText: string | undefined;
    try {
      if (kind === 'one-shot') {
        expected = `answer ${i}`;
        await retrying('start', () =>
          sessions.start({ task: sim({ steps: 3 + (i % 5), answer: expected }, `one-shot ${i}`) }, { workflowId: id }),
        );
      } else if (kind === 'structured') {
        expected = { n: i, ok: true };
        await retrying('start', () =>
          sessions.start(
            {
              task: sim({ steps: 3, answer: expected }, `structured ${i}`),
              answerSchema: {
                type: 'object',
                properties: { n: { type: 'number' }, ok: { type: 'boolean' } },
                required: ['n', 'ok'],
              },
            },
            { workflowId: id },
          ),
        );
      } else if (kind === 'tool') {
        await retrying('start', () =>
          sessions.start(
            {
              task: sim({ steps: 2, tools: [{ tool_name: 'lookup_order', args: { id: `order-${i}` } }] }, `tool ${i}`),
              tools: ['lookup_order'],
            },
            { workflowId: id },
          ),
        );
      } else if (kind === 'interactive') {
        expected = `reply answer ${i}`;
        replyText = `reply-${i}-please`;
        await retrying('start', () =>
          sessions.start(
            { task: sim({ steps: 2, ask: `question ${i}?` }, `interactive ${i}`), idleTimeoutS: 900 },
            { workflowId: id },
          ),
        );
        await waitFor('the question', (p) => p.awaiting?.kind === 'input');
        await retrying('reply', () =>
          sessions.handle(id).executeUpdate(replyUpdate, {
            args: [{ by: 'script', message: sim({ steps: 2, answer: expected }, replyText!) }],
            updateId: `reply-${i}`,
          }),
        );
        await waitFor('the reply answer', (p) => p.answer === expected);
        await retrying('end', () => sessions.end(id));
      } else {
        expected = `draft ${i}`;
        await retrying('start', () =>
          sessions.start(
            { task: sim({ steps: 3, answer: expected }, `approval ${i}`), approval: {} },
            { workflowId: id },
          ),
        );
        await waitFor('the approval gate', (p) => p.awaiting?.kind === 'approval');
        await retrying('approve', () =>
          sessions
            .handle(id)
            .executeUpdate(approveUpdate, { args: [{ by: 'scripted person' }], updateId: `approve-${i}` }),
        );
      }
      const result = await retrying('result', () => sessions.handle(id).result());
      const answerOk =
        kind === 'tool'
          ? JSON.stringify(result.answer).includes(`order-${i}`) && JSON.stringify(result.answer).includes('shipped')
          : JSON.stringify(result.answer) === JSON.stringify(expected);
      const statusOk = result.status === 'completed';
      outcomes.push({
        kind,
        workflowId: id,
        ok: answerOk && statusOk,
        why: `${result.status}, answer ${JSON.stringify(result.answer).slice(0, 120)}`,
        endedAt: Date.now(),
        result,
        ...(replyText ? { replyText } : {}),
      });
    } catch (err) {
      // The message and the root cause (an update's failure carries the handler's or validator's reason as cause).
      const why = `${(err as Error).message} <- ${rootCause(err)}`;
      outcomes.push({ kind, workflowId: id, ok: false, why: why.slice(0, 500), endedAt: Date.now() });
    }
  };
  const starting = CHAOS_MS / 3 / Math.max(1, SESSIONS);
  const drivers: Promise<void>[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    drivers.push(drive(i, KINDS[Math.floor(random() * KINDS.length)]!));
    await sleep(starting);
  }
  log(`${SESSIONS} sessions started`);
  await Promise.all([...drivers, batchDone]);
  await chaos;
  const lastEnd = Math.max(...outcomes.map((o) => o.endedAt));

  // ---- the schedule's runs: delete it, let running runs end, check each -------------------------------------------
  await retrying('delete schedule', () => schedules.delete(scheduleName));
  const scheduleRunsQuery = `TaskQueue = '${taskQueue}' AND WorkflowType = 'scheduledRun'`;
  for (;;) {
    let running = 0;
    for await (const wf of sessions.temporal.workflow.list({
      query: `${scheduleRunsQuery} AND ExecutionStatus = 'Running'`,
    }))
      running += wf ? 1 : 0;
    if (running === 0) break;
    await sleep(1000);
  }
  const runs = await retrying('schedule runs', async () => {
    const all = [];
    for await (const wf of sessions.temporal.workflow.list({ query: scheduleRunsQuery })) all.push(wf);
    return all;
  });
  for (const wf of runs) {
    const r = await retrying('run result', () =>
      sessions.temporal.workflow.getHandle(wf.workflowId, wf.runId).result(),
    ).catch((e: Error) => ({ error: e.message }));
    const rr = r as { status?: string; answer?: unknown; error?: string };
    const ok = rr.status === 'skipped' || (rr.status === 'completed' && rr.answer === 'scheduled answer');
    outcomes.push({
      kind: 'scheduled run',
      workflowId: wf.workflowId,
      ok,
      why: JSON.stringify(rr).slice(0, 200),
      endedAt: wf.closeTime?.getTime() ?? Date.now(),
    });
  }

  // ---- checks ------------------------------------------------------------------------------------------------------
  const stats = simulator.stats();
  const sessionWorkflows: string[] = [];
  for await (const wf of sessions.temporal.workflow.list({
    query: `TaskQueue = '${taskQueue}' AND WorkflowType = 'agentSession'`,
  }))
    sessionWorkflows.push(wf.workflowId);
  const createCounts = Object.values(stats.createsByIdempotencyKey);
  const duplicateCreates = createCounts.filter((n) => n > 1).length;
  const stillRunning: string[] = [];
  for await (const wf of sessions.temporal.workflow.list({
    query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`,
  }))
    stillRunning.push(`${wf.type} ${wf.workflowId}`);

  // Events: every session's count of handled events equals the platform's, and its transitions never repeat an index.
  const reader = new HaiClient({ baseUrl: simulator.url, apiKey: 'hk-chaos', env: {} });
  let eventsMissed = 0;
  let eventsTwice = 0;
  let messagesTwice = 0;
  let eventsChecked = 0;
  for (const o of outcomes) {
    if (!o.result) continue;
    const all: unknown[] = [];
    for (let page = 1; ; page++) {
      const got = await reader.listEvents(o.result.sessionId, { page, size: 200 });
      all.push(...got.items);
      if (got.items.length === 0 || all.length >= got.total) break;
    }
    eventsChecked += all.length;
    if (o.result.events !== all.length) {
      eventsMissed++;
      if (process.env.CHAOS_VERBOSE) log(`${o.workflowId}: handled ${o.result.events} of ${all.length} events`);
    }
    const progress = await sessions.progress(o.workflowId).catch(() => undefined);
    const indexes = (progress?.transitions ?? []).map((t) => t.eventIndex).filter((x): x is number => x !== null);
    if (new Set(indexes).size !== indexes.length) eventsTwice++;
    if (o.replyText) {
      const delivered = all.filter((e) => {
        const text = JSON.stringify(e);
        return text.includes('"caller_id":"user"') && text.includes(o.replyText!);
      }).length;
      if (delivered !== 1) messagesTwice++;
    }
  }
  await reader.close();

  const failed = outcomes.filter((o) => !o.ok);
  const byKind = new Map<string, { n: number; ok: number }>();
  for (const o of outcomes) {
    const k = byKind.get(o.kind) ?? { n: 0, ok: 0 };
    k.n++;
    k.ok += o.ok ? 1 : 0;
    byKind.set(o.kind, k);
  }
  const figures = {
    seed: SEED,
    sessions: SESSIONS,
    batchItems: BATCH,
    scheduledRuns: runs.length,
    byKind: Object.fromEntries(byKind),
    sessionWorkflows: sessionWorkflows.length,
    platformSessionsCreated: stats.sessionsCreated,
    duplicateCreates,
    platformFaultsInjected: stats.faultsInjected,
    platformRequests: Object.values(stats.requestsByRoute).reduce((a, b) => a + b, 0),
    workerKills: workers.reduce((n, w) => n + w.kills, 0),
    workerStarts: workers.reduce((n, w) => n + w.starts, 0),
    temporalKills,
    finishedWithExpectedAnswer: outcomes.length - failed.length,
    lost: failed.length,
    eventsChecked,
    sessionsWithEventsMissed: eventsMissed,
    sessionsWithAnEventReadTwice: eventsTwice,
    messagesNotDeliveredExactlyOnce: messagesTwice,
    stillRunning: stillRunning.length,
    drainSecondsAfterLastFault: Math.max(0, (lastEnd - lastFaultAt) / 1000),
    totalSeconds: (Date.now() - t0) / 1000,
  };
  console.log(JSON.stringify(figures, null, 2));
  for (const f of failed.slice(0, 20)) console.log(`FAILED ${f.kind} ${f.workflowId}: ${f.why}`);
  // Keep the history of each failed workflow (while the server still runs) for replay and diagnosis.
  if (failed.length) {
    const out = join('bench', 'results', 'chaos');
    mkdirSync(out, { recursive: true });
    for (const f of failed.slice(0, 20)) {
      const history = await sessions
        .handle(f.workflowId)
        .fetchHistory()
        .catch(() => undefined);
      if (history) writeFileSync(join(out, `${f.workflowId.replace(/[^\w.-]/g, '_')}.json`), historyToJSON(history));
    }
    console.log(`histories of failed workflows in ${out}/`);
  }
  for (const r of stillRunning.slice(0, 20)) console.log(`RUNNING ${r}`);
  const pass =
    failed.length === 0 &&
    sessionWorkflows.length === stats.sessionsCreated &&
    duplicateCreates === 0 &&
    eventsMissed === 0 &&
    eventsTwice === 0 &&
    messagesTwice === 0 &&
    stillRunning.length === 0;
  console.log(pass ? 'PASS' : 'FAIL');
  void chaosOn;

  await Promise.all(workers.map((w) => w.stop()));
  await connection.close();
  await simulator.close();
  await temporal.stop();
  rmSync(dir, { recursive: true, force: true });
  process.exit(pass ? 0 : 1);
}

await main();
