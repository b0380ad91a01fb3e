// `hai-temporal simulator`: runs the simulator in the foreground until SIGINT/SIGTERM.
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_SIMULATOR_OPTIONS as D } from './options';
import { type FaultOptions, type SimulatorOptions, startSimulator } from './index';

const F = D.faults;

function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
      throw new InvalidArgumentError(
        `expected an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}.`,
      );
    }
    return value;
  };
}

function rate(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidArgumentError('expected a number from 0 to 1.');
  }
  return value;
}

function bool(raw: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new InvalidArgumentError('expected true or false.');
}

function nonEmpty(raw: string): string {
  if (raw.trim() === '') throw new InvalidArgumentError('expected a non-empty value.');
  return raw;
}

const option = (flags: string, description: string, parse: (raw: string) => unknown, fallback?: unknown): Option => {
  const o = new Option(flags, description).argParser(parse);
  return fallback === undefined ? o : o.default(fallback);
};

const choice = (flags: string, description: string, choices: string[], fallback: string): Option =>
  new Option(flags, description).choices(choices).default(fallback);

interface Flags {
  port: number;
  host: string;
  apiKey?: string;
  dataFile?: string;
  stepMs: number;
  bootMs?: number;
  steps: number;
  changesPageCap: number;
  eventsPageMax: number;
  maxWaitForSeconds: number;
  concurrency: number;
  queuedCountsAgainstQuota: boolean;
  messageToTerminal: SimulatorOptions['messageToTerminal'];
  idleTimeoutStatus: SimulatorOptions['idleTimeoutStatus'];
  maxStepsStatus: SimulatorOptions['maxStepsStatus'];
  maxTimeAnswer: boolean;
  controlOnInactive: SimulatorOptions['controlOnInactive'];
  answerAsJsonString: boolean;
  maxBodyBytes: number;
  faultErrorRate: number;
  faultErrorStatus: number;
  fault429Rate: number;
  faultRetryAfterS: number;
  faultLatencyMs: number;
  faultDropRate: number;
  faultMalformedRate: number;
  faultRoutes?: string[];
}

function toOptions(f: Flags): Partial<SimulatorOptions> {
  const faults: FaultOptions = {
    errorRate: f.faultErrorRate,
    errorStatus: f.faultErrorStatus,
    rateLimitRate: f.fault429Rate,
    retryAfterS: f.faultRetryAfterS,
    latencyMs: f.faultLatencyMs,
    dropRate: f.faultDropRate,
    malformedRate: f.faultMalformedRate,
    routes: f.faultRoutes,
  };
  return {
    port: f.port,
    host: f.host,
    apiKey: f.apiKey,
    stepMs: f.stepMs,
    bootMs: f.bootMs,
    defaultSteps: f.steps,
    changesPageCap: f.changesPageCap,
    eventsPageMax: f.eventsPageMax,
    maxWaitForSeconds: f.maxWaitForSeconds,
    concurrencyLimit: f.concurrency,
    queuedCountsAgainstQuota: f.queuedCountsAgainstQuota,
    messageToTerminal: f.messageToTerminal,
    idleTimeoutStatus: f.idleTimeoutStatus,
    maxStepsStatus: f.maxStepsStatus,
    maxTimeAnswer: f.maxTimeAnswer,
    controlOnInactive: f.controlOnInactive,
    answerAsJsonString: f.answerAsJsonString,
    maxBodyBytes: f.maxBodyBytes,
    dataFile: f.dataFile,
    faults,
  };
}

export function simulatorCommand(): Command {
  return new Command('simulator')
    .description('Run the local H Company Agents API simulator (API root: <url>/api/v2)')
    .addOption(option('--port <n>', 'port to listen on (0 = any free port)', integer(0, 65535), D.port))
    .addOption(option('--host <host>', 'interface to bind', nonEmpty, D.host))
    .addOption(option('--api-key <key>', 'accept only this bearer key (default: any non-empty key)', nonEmpty))
    .addOption(
      option(
        '--data-file <path>',
        'keep sessions in this JSON file, so a restart carries them on (default: memory)',
        nonEmpty,
      ),
    )
    .addOption(option('--step-ms <n>', 'delay per agent step', integer(0), D.stepMs))
    .addOption(option('--boot-ms <n>', 'pending -> running delay (default: --step-ms)', integer(0)))
    .addOption(
      option(
        '--steps <n>',
        'agent steps before the first answer when a script says nothing',
        integer(0),
        D.defaultSteps,
      ),
    )
    .addOption(option('--changes-page-cap <n>', 'max events per /changes response', integer(1), D.changesPageCap))
    .addOption(option('--events-page-max <n>', 'max `size` of /events', integer(1), D.eventsPageMax))
    .addOption(option('--max-wait-for-seconds <n>', '/changes wait_for_seconds cap', integer(0), D.maxWaitForSeconds))
    .addOption(option('--concurrency <n>', 'active sessions per API key', integer(1), D.concurrencyLimit))
    .addOption(
      option(
        '--queued-counts-against-quota <bool>',
        'queued sessions count in quota `active`',
        bool,
        D.queuedCountsAgainstQuota,
      ),
    )
    .addOption(
      choice(
        '--message-to-terminal <mode>',
        'message to a finished session',
        ['restart', 'reject'],
        D.messageToTerminal,
      ),
    )
    .addOption(
      choice(
        '--idle-timeout-status <status>',
        'status after idle_timeout_s lapses',
        ['completed', 'timed_out'],
        D.idleTimeoutStatus,
      ),
    )
    .addOption(
      choice(
        '--max-steps-status <status>',
        'status when max_steps is hit',
        ['completed', 'timed_out'],
        D.maxStepsStatus,
      ),
    )
    .addOption(
      option('--max-time-answer <bool>', 'a session timed out by max_time_s still answers', bool, D.maxTimeAnswer),
    )
    .addOption(
      choice(
        '--control-on-inactive <mode>',
        'pause/resume/force_answer on inactive sessions',
        ['noop', 'reject'],
        D.controlOnInactive,
      ),
    )
    .addOption(
      option(
        '--answer-as-json-string <bool>',
        'structured answers as JSON strings in /changes',
        bool,
        D.answerAsJsonString,
      ),
    )
    .addOption(option('--max-body-bytes <n>', 'request bodies above this get 413', integer(1), D.maxBodyBytes))
    .addOption(
      option('--fault-error-rate <r>', 'share of requests answered with --fault-error-status', rate, F.errorRate),
    )
    .addOption(option('--fault-error-status <n>', 'status of injected errors', integer(400, 599), F.errorStatus))
    .addOption(option('--fault-429-rate <r>', 'share of requests answered 429', rate, F.rateLimitRate))
    .addOption(option('--fault-retry-after-s <n>', 'Retry-After of injected 429s', integer(0), F.retryAfterS))
    .addOption(option('--fault-latency-ms <n>', 'latency added to every request', integer(0), F.latencyMs))
    .addOption(option('--fault-drop-rate <r>', 'share of connections reset instead of answered', rate, F.dropRate))
    .addOption(
      option('--fault-malformed-rate <r>', 'share of 200 responses with a truncated body', rate, F.malformedRate),
    )
    .addOption(
      option('--fault-routes <routes>', 'comma-separated route names that get faults, e.g. "POST /sessions"', (raw) =>
        raw.split(',').map((r) => nonEmpty(r.trim())),
      ),
    )
    .action(async (flags: Flags) => {
      const sim = await startSimulator(toOptions(flags));
      process.stdout.write(`listening on ${sim.url}\n`);
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void sim.close().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
