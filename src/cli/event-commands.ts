// What the agent does, from the command line: `events <id>` pages the full history; `watch --events` and
// `run --events` stream each event live. Events come straight from the platform with the reader's own key.
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { type Command, InvalidArgumentError } from 'commander';
import { InvalidInputError, type SessionClient } from '../client';
import { SettingsError } from '../config';
import { HaiClient } from '../hai/client';
import { resolveHaiSettings } from '../hai/config';
import { HaiApiError } from '../hai/errors';
import { isTerminalStatus } from '../hai/status';
import { formatEvent } from '../events/format';
import { sessionHistory } from '../events/history';
import { NoPlatformSessionError, platformSessionId } from '../events/session-id';
import { streamSessionEvents } from '../events/stream';
import type { StreamUntil } from '../events/types';
import type { SessionResult } from '../shared/session';
import { EXIT } from './exit-codes';
import { exitCodeOf, formatResult, printJson } from './output';
import { oneOf, positiveInt } from './parse';

type Run = (action: (sessions: SessionClient) => Promise<number>) => Promise<void>;

export const eventIndex = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`expected an event index (a whole number ≥ 0), got "${value}"`);
  }
  return n;
};

const typeList = (value: string): string[] => {
  const types = value.split(',').map((t) => t.trim());
  if (types.some((t) => !t)) throw new InvalidArgumentError(`expected comma-separated event types, got "${value}"`);
  return types;
};

export function addEventCommands(program: Command, run: Run): void {
  program
    .command('events')
    .description("page through every event of a session's platform history (also long after its workflow ended)")
    .argument('<workflowId>')
    .option(
      '--type <types>',
      'only these event types or AgentEvent kinds, comma-separated (e.g. policy_event,answer_event)',
      typeList,
    )
    .option('--from <index>', 'start at this event index', eventIndex, 0)
    .option('--limit <n>', 'at most this many events', positiveInt)
    .option('--json', 'one JSON object per event and line (JSONL)')
    .action((id: string, o: { type?: string[]; from: number; limit?: number; json?: boolean }) =>
      run((sessions) =>
        withReader(async (hai) => {
          const sessionId = await sessionIdOf(sessions, id, false);
          if (!o.json) console.log(`${'#index'.padEnd(6)} ${'time'.padEnd(9)} ${'what'.padEnd(10)} detail`);
          let count = 0;
          for await (const e of sessionHistory(hai, sessionId, { types: o.type, from: o.from, limit: o.limit })) {
            if (o.json) printJson(e);
            else console.log(formatEvent(e));
            count++;
          }
          if (!o.json) console.error(`${count} event(s) of session ${sessionId}`);
          return EXIT.ok;
        }),
      ),
    );
}

/** The options `watch` and `run` take to stream events. */
export function withEventOptions(command: Command): Command {
  return command
    .option('--events', 'stream every event of the agent (its reasoning, actions, observations, messages, cost)')
    .option('--from <index>', 'with --events: start at this event index (resume after the last one seen)', eventIndex)
    .option(
      '--until <when>',
      'with --events: stop when the session is settled (idle or ended, the default) or terminal (spans turns)',
      oneOf(['settled', 'terminal'] as const),
    );
}

export interface EventFlags {
  events?: boolean;
  from?: number;
  until?: StreamUntil;
  detach?: boolean;
}

/** Refuses event options that cannot apply, before anything starts. */
export function checkEventFlags(o: EventFlags): void {
  if (!o.events && (o.from !== undefined || o.until !== undefined)) {
    throw new InvalidInputError('--from and --until apply to the event stream: add --events');
  }
  if (o.events && o.detach) throw new InvalidInputError('--events streams while the session runs: drop --detach');
  if (o.events) requireReaderKey();
}

/**
 * Streams the session's events until it settles (or ends, with `until: 'terminal'`). When the session has ended,
 * waits for the workflow's result (it may still hold the answer for approval) and exits as `watch` does; when
 * it is idle between turns, stops there with exit 0.
 */
export async function streamEvents(
  sessions: SessionClient,
  workflowId: string,
  o: { json: boolean; from?: number; until?: StreamUntil },
): Promise<number> {
  return withReader(async (hai) => {
    const sessionId = await sessionIdOf(sessions, workflowId, true);
    const from = o.from ?? 0;
    if (!o.json) console.error(`session ${sessionId}: events from #${from}`);
    let last = from - 1;
    try {
      for await (const e of streamSessionEvents(hai, sessionId, { from, until: o.until })) {
        if (o.json) printJson(e);
        else console.log(formatEvent(e));
        last = e.index;
      }
    } catch (err) {
      console.error(`hai-temporal: the stream stopped after event #${last}; resume with --from ${last + 1}`);
      throw err;
    }
    const { status } = await hai.getStatus(sessionId);
    if (!isTerminalStatus(status)) {
      if (!o.json) console.error(`session is ${status}; its workflow goes on (--until terminal follows later turns)`);
      return EXIT.ok;
    }
    return printResult(sessions, workflowId, o.json);
  });
}

/** After this long without a result, say what is being waited for (e.g. an approval). */
const RESULT_NOTE_MS = 2_000;

async function printResult(sessions: SessionClient, workflowId: string, json: boolean): Promise<number> {
  let result: SessionResult;
  const pending = sessions.handle(workflowId).result();
  const note = json
    ? undefined
    : setTimeout(
        () =>
          console.error(`the session has ended; waiting for workflow ${workflowId} (hai-temporal status shows why)`),
        RESULT_NOTE_MS,
      );
  try {
    result = await pending;
  } catch (err) {
    if (err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure) {
      if (json) printJson({ workflowId, status: 'cancelled', endedBy: 'workflow-cancel' });
      else console.log('cancelled (the workflow was cancelled)');
      return EXIT.cancelled;
    }
    throw err;
  } finally {
    clearTimeout(note);
  }
  if (json) printJson(result);
  else console.log(formatResult(result));
  return exitCodeOf(result);
}

async function sessionIdOf(sessions: SessionClient, workflowId: string, wait: boolean): Promise<string> {
  try {
    return await platformSessionId(sessions.temporal, workflowId, { wait });
  } catch (err) {
    if (err instanceof NoPlatformSessionError) throw new InvalidInputError(err.message);
    throw err;
  }
}

function requireReaderKey(): void {
  if (!resolveHaiSettings().apiKey) {
    throw new SettingsError(
      'events are read straight from the platform with your own key, never through the workflow: ' +
        'set HAI_API_KEY (or H_API_KEY), and HAI_REGION or HAI_BASE_URL for the platform the session runs on',
    );
  }
}

/** Runs `action` with a platform client holding the reader's own key; says what to set when there is none. */
async function withReader(action: (hai: HaiClient) => Promise<number>): Promise<number> {
  requireReaderKey();
  const hai = new HaiClient({ maxConnections: 4 });
  try {
    return await action(hai);
  } catch (err) {
    if (err instanceof HaiApiError && (err.status === 401 || err.status === 403)) {
      throw new SettingsError(
        `the platform refused your key (${err.status}) at ${hai.baseUrl}: events are read with your own key; ` +
          'use a key of the organisation and region (HAI_REGION / HAI_BASE_URL) the session runs in',
      );
    }
    if (err instanceof HaiApiError && err.status === 404) {
      throw new SettingsError(
        `the platform at ${hai.baseUrl} does not show this session to your key: sessions are private to the ` +
          'organisation that created them; use a key of that organisation and its region (HAI_REGION / HAI_BASE_URL)',
      );
    }
    throw err;
  } finally {
    await hai.close();
  }
}
