// The commands that start, follow and steer sessions through Temporal.
import { type Command } from 'commander';
import type { SessionClient } from '../client';
import { DEFAULT_AGENT } from '../shared/input';
import type { SteerAck } from '../shared/session';
import { EXIT } from './exit-codes';
import { follow } from './follow';
import { formatProgress, printJson } from './output';
import { nonEmpty, positiveInt, positiveNumber, readJsonObjectFile } from './parse';

type Run = (action: (sessions: SessionClient) => Promise<number>) => Promise<void>;

export function addSessionCommands(program: Command, run: Run): void {
  program
    .command('run')
    .description('start an agent session as a workflow and wait for its answer')
    .argument('<task>', 'what the agent should do', nonEmpty('the task'))
    .option('-a, --agent <name>', 'platform agent', DEFAULT_AGENT)
    .option('--max-steps <n>', 'step cap (the agent is asked to answer when it is reached)', positiveInt)
    .option('--max-time <seconds>', 'wall-clock cap in seconds', positiveNumber)
    .option('--idle-timeout <seconds>', 'interactive: wait this long for a follow-up after each answer', positiveInt)
    .option('--answer-schema <file>', 'JSON Schema file the answer must match')
    .option('--group-id <id>', 'platform group tag')
    .option('--id <workflowId>', 'workflow id (default: a new unique one)')
    .option('--detach', 'start and print the workflow id without waiting')
    .option('--json', 'machine-readable output (the last line is the result object)')
    .action((task: string, o) =>
      run(async (sessions) => {
        const handle = await sessions.start(
          {
            task,
            agent: o.agent,
            maxSteps: o.maxSteps,
            maxTimeS: o.maxTime,
            idleTimeoutS: o.idleTimeout,
            groupId: o.groupId,
            answerSchema: o.answerSchema ? readJsonObjectFile(o.answerSchema, '--answer-schema') : undefined,
          },
          o.id ? { workflowId: o.id } : {},
        );
        if (o.detach) {
          if (o.json) printJson({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
          else console.log(handle.workflowId);
          return EXIT.ok;
        }
        if (!o.json) console.error(`started ${handle.workflowId}`);
        return follow(sessions, handle.workflowId, { json: Boolean(o.json) });
      }),
    );

  program
    .command('watch')
    .description('follow a session live until its workflow ends, then print the result')
    .argument('<workflowId>')
    .option('--json', 'machine-readable output (the last line is the result object)')
    .action((id: string, o) =>
      run(async (sessions) => {
        await sessions.describe(id);
        return follow(sessions, id, { json: Boolean(o.json) });
      }),
    );

  program
    .command('status')
    .description("show a session's durable state: status, steps, usage, answer, recent transitions")
    .argument('<workflowId>')
    .option('--json', 'machine-readable output')
    .action((id: string, o) =>
      run(async (sessions) => {
        const description = await sessions.describe(id);
        const progress = await sessions.progress(id);
        if (o.json) printJson({ workflowStatus: description.status.name, ...progress });
        else console.log(`workflow   ${description.status.name}\n${formatProgress(progress)}`);
        return EXIT.ok;
      }),
    );

  const steer = (
    name: string,
    description: string,
    call: (s: SessionClient, id: string, arg?: string) => Promise<SteerAck>,
    arg?: string,
  ) => {
    const command = program.command(name).description(description).argument('<workflowId>');
    if (arg) command.argument(`<${arg}>`, undefined, nonEmpty(`the ${arg}`));
    command.option('--json', 'machine-readable output').action((id: string, ...rest: unknown[]) => {
      const value = arg ? (rest[0] as string) : undefined;
      const o = (arg ? rest[1] : rest[0]) as { json?: boolean };
      return run(async (sessions) => {
        const ack = await call(sessions, id, value);
        if (o.json) printJson({ workflowId: id, ...ack });
        else console.log(`${ack.command} accepted; session is ${ack.status}`);
        return EXIT.ok;
      });
    });
  };
  steer(
    'send',
    'send the agent a message (wakes an idle session, resumes a paused one)',
    (s, id, m) => s.send(id, m!),
    'message',
  );
  steer('pause', 'pause the agent', (s, id) => s.pause(id));
  steer('resume', 'resume a paused agent', (s, id) => s.resume(id));
  steer('answer', 'make the agent give its final answer now', (s, id) => s.forceAnswer(id));
  steer('cancel', 'cancel the session on the platform', (s, id) => s.cancel(id));
  steer('end', 'end an interactive session, keeping its answers', (s, id) => s.end(id));

  program
    .command('list')
    .description('list session workflows, newest first')
    .option('--status <status>', 'platform status, e.g. running, idle, completed')
    .option('--limit <n>', 'at most this many', positiveInt, 50)
    .option('--json', 'machine-readable output (one object per line)')
    .action((o) =>
      run(async (sessions) => {
        for await (const s of sessions.list({ sessionStatus: o.status, limit: o.limit })) {
          if (o.json) printJson(s);
          else
            console.log(
              `${s.workflowId}  ${s.workflowStatus.padEnd(10)} ${(s.sessionStatus ?? '-').padEnd(22)} ${s.startTime.toISOString()}`,
            );
        }
        return EXIT.ok;
      }),
    );
}
