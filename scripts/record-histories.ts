// Records workflow histories for the replay test (test/replay). Run it when a workflow change is meant to
// be compatible, BEFORE making the change, so the saved histories come from the code that users run:
//   npx tsx scripts/record-histories.ts
// To keep the histories of an older generation, record into a subfolder of its own:
//   HAI_RECORD_HISTORIES_TO=test/replay/histories/<generation> npx tsx scripts/record-histories.ts
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { z } from 'zod';
import { SessionClient } from '../src/client';
import { HaiClient } from '../src/hai/client';
import { approveUpdate, rejectUpdate, replyUpdate, sendSignal } from '../src/shared/session';
import { startSimulator } from '../src/simulator';
import { findTemporalCli, MISSING_CLI_HELP, PROJECT_ROOT } from '../src/temporal/cli-binary';
import { SEARCH_ATTRIBUTES } from '../src/temporal/search-attributes';
import { defineTool } from '../src/tools/registry';
import { createSessionWorker } from '../src/worker';

// HAI_RECORD_HISTORIES_TO keeps what is already saved and records beside it (e.g. a subfolder per generation).
const OUT = process.env.HAI_RECORD_HISTORIES_TO ?? join(PROJECT_ROOT, 'test', 'replay', 'histories');
const sim = (script: object, task = 'task') => `${task} [sim ${JSON.stringify(script)}]`;

async function until<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}

const devServerPath = findTemporalCli();
if (!devServerPath) throw new Error(MISSING_CLI_HELP);
const env = await TestWorkflowEnvironment.createLocal({
  server: { executable: { type: 'existing-path', path: devServerPath }, searchAttributes: SEARCH_ATTRIBUTES },
});
const simulator = await startSimulator({ stepMs: 10 });
const hai = new HaiClient({ baseUrl: simulator.url, apiKey: 'hk-record' });
const taskQueue = 'record';
const connection = await NativeConnection.connect({ address: env.address });
const lookup = defineTool({
  name: 'lookup',
  description: 'Look up.',
  input: z.object({ id: z.string() }),
  run: ({ id }) => ({ id }),
});
const worker = await createSessionWorker({ connection, namespace: 'default', taskQueue, hai, tools: [lookup] });
const sessions = new SessionClient(new Client({ connection: env.client.connection }), taskQueue);
const progress = (id: string) => sessions.progress(id);

await worker.runUntil(async () => {
  const scenarios: Record<string, () => Promise<string>> = {
    'one-shot': async () => (await sessions.start({ task: sim({ steps: 3, answer: 'a' }) })).workflowId,
    'interactive-steered': async () => {
      const h = await sessions.start({ task: sim({ steps: 1, answer: 'a1' }), idleTimeoutS: 300 });
      await until(async () => ((await progress(h.workflowId)).phase === 'awaiting_input' ? true : undefined));
      await h.signal(sendSignal, { message: sim({ steps: 1, answer: 'a2' }, 'more') });
      await until(async () => ((await progress(h.workflowId)).answer === 'a2' ? true : undefined));
      await sessions.pause(h.workflowId).catch(() => undefined);
      await sessions.end(h.workflowId);
      return h.workflowId;
    },
    'approval-rounds': async () => {
      const h = await sessions.start({ task: sim({ steps: 1, answer: 'v1' }), idleTimeoutS: 300, approval: {} });
      await until(async () => ((await progress(h.workflowId)).awaiting?.round === 1 ? true : undefined));
      await h.executeUpdate(rejectUpdate, {
        args: [{ by: 'a', reason: 'r', feedback: sim({ steps: 1, answer: 'v2' }, 'f') }],
      });
      await until(async () => ((await progress(h.workflowId)).awaiting?.round === 2 ? true : undefined));
      await h.executeUpdate(approveUpdate, { args: [{ by: 'b' }] });
      return h.workflowId;
    },
    'lean-one-shot': async () =>
      (await sessions.start({ task: sim({ steps: 20, answer: 'a' }), watch: 'lean' })).workflowId,
    'lean-tools': async () =>
      (
        await sessions.start({
          task: sim({ steps: 3, tools: [{ tool_name: 'lookup', args: { id: '2' } }] }),
          tools: ['lookup'],
          watch: 'lean',
        })
      ).workflowId,
    structured: async () =>
      (
        await sessions.start({
          task: sim({ steps: 2, answer: { n: 1 } }),
          answerSchema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
        })
      ).workflowId,
    // The first create's response is lost after the platform made the session: the retry finds it mid-turn.
    'mid-turn-create': async () => {
      simulator.setFaults({ dropRate: 1, remaining: 1, latencyMs: 500, routes: ['POST /sessions'] });
      const h = await sessions.start({
        task: sim({ steps: 1, stepMs: 5, tools: [{ tool_name: 'lookup', args: { id: '3' } }] }),
        tools: ['lookup'],
      });
      await h.result().finally(() => simulator.setFaults({ dropRate: 0, latencyMs: 0, routes: [] }));
      return h.workflowId;
    },
    'tools-and-ask-human': async () => {
      const h = await sessions.start({
        task: sim({
          steps: 1,
          tools: [
            { tool_name: 'lookup', args: { id: '1' } },
            { tool_name: 'ask_human', args: { question: 'q?' } },
          ],
        }),
        tools: ['lookup', 'ask_human'],
      });
      await until(async () => ((await progress(h.workflowId)).awaiting?.kind === 'input' ? true : undefined));
      await h.executeUpdate(replyUpdate, { args: [{ by: 'c', message: 'yes' }] });
      return h.workflowId;
    },
  };
  for (const [name, run] of Object.entries(scenarios)) {
    const id = await run();
    await sessions.handle(id).result();
    // The Temporal CLI writes the standard JSON form that replay reads.
    const json = execFileSync(devServerPath, [
      'workflow',
      'show',
      '--address',
      env.address,
      '--workflow-id',
      id,
      '--output',
      'json',
    ]);
    writeFileSync(join(OUT, `${name}.json`), json);
    console.log(`recorded ${name}`);
  }
});
await connection.close();
await hai.close();
await simulator.close();
await env.teardown();
