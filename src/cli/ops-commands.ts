// Commands for whoever runs the deployment: `setup` (register the search attributes) and `doctor` (check
// everything a worker needs and say how to fix what is wrong).
import type { Command } from 'commander';
import { NativeConnection } from '@temporalio/worker';
import { loadTemporalSettings } from '../config';
import { type Check, runDoctor } from '../ops/doctor';
import { ensureSearchAttributes, searchAttributeCommands } from '../temporal/ensure-search-attributes';
import { SEARCH_ATTRIBUTES } from '../temporal/search-attributes';
import { describeFailure } from './errors';
import { EXIT } from './exit-codes';
import { printJson } from './output';

type Globals = () => { address?: string; namespace?: string; taskQueue?: string };

export function addOpsCommands(program: Command, globals: Globals): void {
  program
    .command('setup')
    .description("register the project's search attributes on the namespace (or, with --print, show the commands)")
    .option('--print', 'print the `temporal` commands that register them, change nothing')
    .option('--json', 'one JSON object')
    .action(async (o: { print?: boolean; json?: boolean }) => {
      process.exitCode = await setup(globals(), o);
    });

  program
    .command('doctor')
    .description('check settings, Temporal, namespace, search attributes, workers and the platform key')
    .option('--json', 'one JSON object: {ok, checks: [{name, ok, detail, fix?}]}')
    .action(async (o: { json?: boolean }) => {
      const checks = await runDoctor(globals());
      const ok = checks.every((c) => c.ok);
      if (o.json) printJson({ ok, checks });
      else console.log(formatChecks(checks));
      process.exitCode = ok ? EXIT.ok : checks[0]?.ok === false ? EXIT.usage : EXIT.connection;
    });
}

async function setup(g: ReturnType<Globals>, o: { print?: boolean; json?: boolean }): Promise<number> {
  try {
    const temporal = loadTemporalSettings({ address: g.address, namespace: g.namespace });
    const names = SEARCH_ATTRIBUTES.map((k) => k.name);
    if (o.print) {
      const commands = searchAttributeCommands(temporal.namespace, names);
      if (o.json) printJson({ namespace: temporal.namespace, commands });
      else console.log(commands.join('\n'));
      return EXIT.ok;
    }
    const connection = await NativeConnection.connect(temporal.connectionOptions);
    try {
      const added = await ensureSearchAttributes(connection, temporal.namespace);
      if (o.json) printJson({ namespace: temporal.namespace, added, present: names });
      else
        console.log(
          added.length
            ? `registered on namespace "${temporal.namespace}": ${added.join(', ')}`
            : `namespace "${temporal.namespace}" already has ${names.join(', ')}`,
        );
      return EXIT.ok;
    } finally {
      await connection.close();
    }
  } catch (err) {
    const { message, code } = describeFailure(err);
    console.error(`hai-temporal: ${message}`);
    return code;
  }
}

export function formatChecks(checks: Check[]): string {
  const lines = checks.flatMap((c) => [
    `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`,
    ...(c.ok || !c.fix ? [] : [`      fix: ${c.fix}`]),
  ]);
  const failed = checks.filter((c) => !c.ok).length;
  lines.push(failed ? `${failed} problem(s) found` : 'everything a worker needs is in place');
  return lines.join('\n');
}
