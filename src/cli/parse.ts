// Argument parsers for commander: each refuses bad input with a message naming what was wrong.
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../shared/duration';

export const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${value}"`);
  }
  return n;
};

export const positiveNumber = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
};

/** `90`, `90s`, `15m`, `1h`, `2d` → milliseconds (a bare number is seconds). */
export const duration = (value: string): number => {
  const ms = parseDuration(value);
  if (ms === null) throw new InvalidArgumentError(`expected a duration like 90s, 15m or 1h, got "${value}"`);
  return ms;
};

export const nonEmpty =
  (what: string) =>
  (value: string): string => {
    if (!value.trim()) throw new InvalidArgumentError(`${what} must not be empty`);
    return value;
  };

/** Reads a JSON object from a file, naming the file and the problem when it is not one. */
export function readJsonObjectFile(path: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(
      `${what}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`${what}: ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(`${what}: ${path} must hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

export const oneOf =
  <T extends string>(values: readonly T[]) =>
  (value: string): T => {
    if (!values.includes(value as T))
      throw new InvalidArgumentError(`expected one of ${values.join(', ')}, got "${value}"`);
    return value as T;
  };

export const httpUrl = (value: string): string => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`expected an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError(`expected an http(s) URL, got "${value}"`);
  return value;
};
