// The worker's log: Temporal's logger interface (what Runtime.install takes), written as text (Temporal's own
// layout) or as one JSON object per line, with the platform key redacted from either.
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { LogFormat } from '../config';
import { configuredKeys, redactSecrets } from './redact';

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go; default stdout for JSON, stderr for text (as Temporal's DefaultLogger). */
  write?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** Field names of a JSON line, first the fixed ones, then whatever the SDK or the caller added. */
export interface JsonLogLine {
  time: string;
  level: LogLevel;
  message: string;
  workflowId?: string;
  sessionId?: string;
  [field: string]: unknown;
}

export function createLogger(opts: LoggerOptions): Logger {
  const keys = configuredKeys(opts.env);
  const write =
    opts.write ??
    (opts.format === 'json'
      ? (line: string) => process.stdout.write(line)
      : (line: string) => process.stderr.write(line));
  const format = opts.format === 'json' ? jsonLine : textLine;
  return new DefaultLogger(opts.level, (entry) => write(`${redactSecrets(format(entry), keys)}\n`));
}

function jsonLine(entry: LogEntry): string {
  const line: JsonLogLine = {
    time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
    level: entry.level,
    message: entry.message,
    ...(entry.meta ?? {}),
  };
  return JSON.stringify(line, (_key, value: unknown) =>
    value instanceof Error
      ? { name: value.name, message: value.message, stack: value.stack }
      : typeof value === 'bigint'
        ? value.toString()
        : value,
  );
}

function textLine(entry: LogEntry): string {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta = entry.meta && Object.keys(entry.meta).length ? ` ${safeJson(entry.meta)}` : '';
  return `${time} [${entry.level}] ${entry.message}${meta}`;
}

function safeJson(meta: LogMetadata): string {
  try {
    return JSON.stringify(meta, (_k, v: unknown) =>
      v instanceof Error ? `${v.name}: ${v.message}` : typeof v === 'bigint' ? v.toString() : v,
    );
  } catch {
    return '[unserialisable metadata]';
  }
}
