// The commands that start, follow and steer sessions through Temporal.
import { userInfo } from 'node:os';
import { type Command } from 'commander';
import type { SessionClient } from '../client';
import { DEFAULT_AGENT } from '../shared/input';
import type { DecisionAck, SteerAck } from '../shared/session';
import { checkEventFlags, streamEvents, withEventOptions } from './event-commands';
import { EXIT } from './exit-codes';
import { follow } from './follow';
import { formatAnswer, formatProgress, printJson } from './output';
import { duration, httpUrl, nonEmpty, oneOf, positiveInt, positiveNumber, readJsonObjectFile } from './parse';

type Run = (action: (sessions: SessionClient) => Promise<number>) => Promise<void>;

export function addSessionCommands(program: Command, run: Run): void {
  withEventOptions(program.command('run').description('start an agent session as a workflow and wait for its answer'))
    .argument('<task>', 'what the agent should do', nonEmpty('the task'))
    .option('-a, --agent <name>', 'platform agent', DEFAULT_AGENT)
    .option('--max-steps <n>', 'step cap (the agent is asked to answer when it is reached)', positiveInt)
    .option('--max-time <seconds>', 'wall-clock cap in seconds', positiveNumber)
    .option('--idle-timeout <seconds>', 'interactive: wait this long for a follow-up after each answer', positiveInt)
    .option('--answer-schema <file>', 'JSON Schema file the answer must match')
    .option('--group-id <id>', 'platform group tag')
    .option('--approval', 'hold each answer until a person approves or rejects it')
    .option('--approval-timeout <duration>', 'how long a decision may take, e.g. 30m, 1h (default: no limit)', duration)
    .option(
      '--on-timeout <action>',
      'what a decision timeout does: reject, approve or cancel',
      oneOf(['reject', 'approve', 'cancel']),
    )
    .option(
      '--max-rounds <n>',
      'answers that may be put up for approval (rejections with feedback ask again)',
      positiveInt,
    )
    .option('--reply-timeout <duration>', 'interactive: end the session when nobody replies in time', duration)
    .option('--notify-url <url>', 'POST a signed notice here when the session waits for a person', httpUrl)
    .option('--tool <name...>', 'tools registered with the worker that the agent may call (ask_human is built in)')
    .option(
      '--watch <mode>',
      'events (the default: every step, live) or lean (status only: far fewer platform requests)',
      oneOf(['events', 'lean'] as const),
    )
    .option(
      '--lean-takeover-after <duration>',
      'lean: how long the session goes unfollowed if its worker dies (default 10m; 30s to 30m)',
      duration,
    )
    .option('--id <workflowId>', 'workflow id (default: a new unique one)')
    .option('--detach', 'start and print the workflow id without waiting')
    .option('--json', 'machine-readable output (the last line is the result object)')
    .action((task: string, o) =>
      run(async (sessions) => {
        checkEventFlags(o);
        const handle = await sessions.start(
          {
            task,
            agent: o.agent,
            maxSteps: o.maxSteps,
            maxTimeS: o.maxTime,
            idleTimeoutS: o.idleTimeout,
            groupId: o.groupId,
            answerSchema: o.answerSchema ? readJsonObjectFile(o.answerSchema, '--answer-schema') : undefined,
            approval: approvalOf(o),
            replyTimeout: o.replyTimeout,
            notifyUrl: o.notifyUrl,
            tools: o.tool,
            watch: o.watch,
            leanTakeoverAfter: o.leanTakeoverAfter,
          },
          o.id ? { workflowId: o.id } : {},
        );
        if (o.detach) {
          if (o.json) printJson({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
          else console.log(handle.workflowId);
          return EXIT.ok;
        }
        if (!o.json) console.error(`started ${handle.workflowId}`);
        if (o.events)
          return streamEvents(sessions, handle.workflowId, { json: Boolean(o.json), from: o.from, until: o.until });
        return follow(sessions, handle.workflowId, { json: Boolean(o.json) });
      }),
    );

  withEventOptions(
    program
      .command('watch')
      .description('follow a session live until its workflow ends, then print the result')
      .argument('<workflowId>'),
  )
    .option('--json', 'machine-readable output (the last line is the result object)')
    .action((id: string, o) =>
      run(async (sessions) => {
        checkEventFlags(o);
        await sessions.describe(id);
        if (o.events) return streamEvents(sessions, id, { json: Boolean(o.json), from: o.from, until: o.until });
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
        const progress = await sessions.progress(id, description);
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

  const byOption = ['--by <name>', 'who decides or replies (default: the OS user)', nonEmpty('--by')] as const;
  const decide = (
    name: 'approve' | 'reject',
    description: string,
    configure: (c: Command) => Command,
    call: (s: SessionClient, id: string, o: DecisionOptions) => Promise<DecisionAck>,
  ) =>
    configure(program.command(name).description(description).argument('<workflowId>'))
      .option(...byOption)
      .option('--json', 'machine-readable output')
      .action((id: string, o: DecisionOptions & { json?: boolean }) =>
        run(async (sessions) => {
          const ack = await call(sessions, id, o);
          if (o.json) printJson({ workflowId: id, ...ack });
          else console.log(`${ack.decision} (turn ${ack.turn + 1}, round ${ack.round})`);
          return EXIT.ok;
        }),
      );
  decide(
    'approve',
    'approve the answer a session holds for approval',
    (c) => c.option('--comment <text>'),
    (s, id, o) => s.approve(id, { by: o.by ?? osUser(), ...(o.comment ? { comment: o.comment } : {}) }),
  );
  decide(
    'reject',
    'reject the answer a session holds; with --feedback an interactive agent tries again',
    (c) =>
      c
        .requiredOption('--reason <text>', 'why', nonEmpty('--reason'))
        .option('--feedback <text>', 'sent to the agent as its next message'),
    (s, id, o) =>
      s.reject(id, { by: o.by ?? osUser(), reason: o.reason!, ...(o.feedback ? { feedback: o.feedback } : {}) }),
  );

  program
    .command('reply')
    .description('answer an agent that waits for a person (a question, or its ask_human tool)')
    .argument('<workflowId>')
    .argument('<message>', undefined, nonEmpty('the message'))
    .option(...byOption)
    .option('--json', 'machine-readable output')
    .action((id: string, message: string, o: { by?: string; json?: boolean }) =>
      run(async (sessions) => {
        const ack = await sessions.reply(id, message, o.by ?? osUser());
        if (o.json) printJson({ workflowId: id, ...ack });
        else console.log(`reply accepted; session is ${ack.status}`);
        return EXIT.ok;
      }),
    );

  program
    .command('pending')
    .description('sessions waiting for a person: an approval decision or a reply')
    .option('--json', 'machine-readable output (one object per line)')
    .action((o) =>
      run(async (sessions) => {
        for await (const s of sessions.pending()) {
          // One light query each: what it waits for, without its transitions or a describe.
          const progress = await sessions.follow(s.workflowId, Number.MAX_SAFE_INTEGER);
          const entry = { workflowId: s.workflowId, awaiting: progress.awaiting, status: progress.status };
          if (o.json) printJson(entry);
          else
            console.log(
              `${s.workflowId}  ${progress.awaiting?.kind ?? '-'}  since ${progress.awaiting?.since ?? '-'}  ${formatAnswer(progress.awaiting?.answer ?? '').slice(0, 80)}`,
            );
        }
        return EXIT.ok;
      }),
    );

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

interface DecisionOptions {
  by?: string;
  comment?: string;
  reason?: string;
  feedback?: string;
}

const osUser = () => {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
};

function approvalOf(o: {
  approval?: boolean;
  approvalTimeout?: number;
  onTimeout?: 'reject' | 'approve' | 'cancel';
  maxRounds?: number;
}) {
  const asked = o.approval || o.approvalTimeout !== undefined || o.onTimeout !== undefined || o.maxRounds !== undefined;
  if (!asked) return undefined;
  return {
    ...(o.approvalTimeout !== undefined ? { timeout: o.approvalTimeout } : {}),
    ...(o.onTimeout ? { onTimeout: o.onTimeout } : {}),
    ...(o.maxRounds !== undefined ? { maxRounds: o.maxRounds } : {}),
  };
}
