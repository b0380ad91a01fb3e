#!/usr/bin/env node
// The `hai-temporal` command.
import { Command, CommanderError } from 'commander';
import { SessionClient } from '../client';
import { loadLogFormat, loadTemporalSettings } from '../config';
import { codecServerCommand } from './codec-server';
import { runDev } from './dev';
import { reportFailure } from './errors';
import { EXIT } from './exit-codes';
import { positiveInt } from './parse';
import { addEventCommands } from './event-commands';
import { addOpsCommands } from './ops-commands';
import { addSessionCommands } from './session-commands';
import { addScheduleCommands } from '../schedule/cli';
import { addBatchCommands } from '../batch/cli';
import { simulatorCommand } from '../simulator/command';
import { loadToolsModule } from '../tools/load';
import { runWorker } from '../worker';

const program = new Command('hai-temporal')
  .description('Run H Company agent sessions as durable Temporal workflows')
  .option('--address <host:port>', 'Temporal frontend (default: TEMPORAL_ADDRESS or localhost:7233)')
  .option('--namespace <name>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or default)')
  .option('--task-queue <name>', 'task queue (default: HAI_TEMPORAL_TASK_QUEUE or hai-agents)')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();

/** Errors follow the output format the command was asked for. */
const wantsJson = () => process.argv.slice(2).includes('--json');

const globals = () => program.opts<{ address?: string; namespace?: string; taskQueue?: string }>();

/** Runs one command's action with a Temporal connection; failures become one line and an exit code. */
async function withSessions(action: (sessions: SessionClient) => Promise<number>): Promise<void> {
  let sessions: SessionClient | undefined;
  try {
    const { address, namespace, taskQueue } = globals();
    sessions = await SessionClient.connect({ temporal: loadTemporalSettings({ address, namespace }), taskQueue });
    process.exitCode = await action(sessions);
  } catch (err) {
    process.exitCode = reportFailure(err, wantsJson());
  } finally {
    await sessions?.close().catch(() => undefined);
  }
}

async function guarded(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    process.exitCode = reportFailure(err, wantsJson());
  }
}

program
  .command('worker')
  .description('run a worker: session workflows and their activities')
  .option('--workflow-bundle <file>', 'a prebuilt workflow bundle (skips bundling at start)')
  .option('--tools <module>', 'a module exporting tools (made with defineTool) that sessions may offer their agent')
  .option('--log-format <format>', 'text or json: one JSON object per line (default: HAI_TEMPORAL_LOG_FORMAT or text)')
  .action((o) =>
    guarded(async () => {
      const { address, namespace, taskQueue } = globals();
      return runWorker({
        ...(o.tools ? { tools: await loadToolsModule(o.tools) } : {}),
        temporal: loadTemporalSettings({ address, namespace }),
        ...(taskQueue ? { taskQueue } : {}),
        ...(o.workflowBundle ? { workflowBundlePath: o.workflowBundle } : {}),
        ...(o.logFormat ? { logFormat: loadLogFormat(o.logFormat) } : {}),
      });
    }),
  );

program
  .command('dev')
  .description('the whole stack locally: Temporal dev server + Web UI, the simulator (without HAI_API_KEY), a worker')
  .option('--temporal-port <n>', 'dev server port', positiveInt, 7233)
  .option('--ui-port <n>', 'Web UI port', positiveInt, 8233)
  .option('--simulator-port <n>', 'simulator port', positiveInt, 8000)
  .option('--step-ms <n>', "simulated agents' time per step", positiveInt, 1500)
  .option('--data-dir <dir>', "Temporal's and the simulator's state (default: HAI_TEMPORAL_DATA_DIR, else .data)")
  .action((o) => guarded(() => runDev({ ...o, taskQueue: globals().taskQueue })));

program.addCommand(simulatorCommand());
program.addCommand(codecServerCommand());
addSessionCommands(program, withSessions);
addBatchCommands(program, withSessions);
addOpsCommands(program, globals);
addScheduleCommands(program, withSessions);
addEventCommands(program, withSessions);

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    console.error(`hai-temporal: ${(err as Error).message}`);
    process.exitCode = EXIT.usage;
  }
}
