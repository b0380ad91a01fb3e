// Checks of the readers' options, so a bad one is refused with its name before any call is made.
import { InvalidInputError } from '../client';
import type { HistoryOptions, StreamOptions, StreamUntil } from './types';

const UNTIL: readonly StreamUntil[] = ['settled', 'terminal'];

function wholeNumber(name: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new InvalidInputError(`${name} must be a whole number ${range}, got ${String(value)}`);
  }
}

export function checkStreamOptions(o: StreamOptions): Required<Omit<StreamOptions, 'signal'>> {
  wholeNumber('from', o.from, 0);
  wholeNumber('waitForSeconds', o.waitForSeconds, 0, 25);
  if (o.until !== undefined && !UNTIL.includes(o.until)) {
    throw new InvalidInputError(`until must be "settled" or "terminal", got ${JSON.stringify(o.until)}`);
  }
  return { from: o.from ?? 0, until: o.until ?? 'settled', waitForSeconds: o.waitForSeconds ?? 20 };
}

export function checkHistoryOptions(o: HistoryOptions): Required<Omit<HistoryOptions, 'signal' | 'limit'>> & {
  limit: number | undefined;
} {
  wholeNumber('from', o.from, 0);
  wholeNumber('limit', o.limit, 1);
  wholeNumber('pageSize', o.pageSize, 1, 200);
  const types = (o.types ?? []).map((t) => t.trim());
  if (types.some((t) => !t)) throw new InvalidInputError('types must not contain an empty type');
  return { types, from: o.from ?? 0, limit: o.limit, pageSize: o.pageSize ?? 200 };
}
