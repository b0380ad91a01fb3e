// Schedule specs and policies as people write them, checked and turned into Temporal's: a bad cron field, an
// unknown time zone, an end before the start, an unknown overlap policy or a zero interval is refused here with
// a message naming the problem, before anything is created. Pure (no I/O).
import type { CalendarSpec, ScheduleOptions, ScheduleOverlapPolicy, ScheduleSpec } from '@temporalio/client';
import { InvalidInputError } from '../client';
import { parseDuration } from '../shared/duration';
import { DEFAULT_CATCHUP_WINDOW_MS, OVERLAP_POLICIES, type OverlapPolicyName } from './definitions';

/** When a schedule fires: exactly one of `cron`, `every`, `calendar`, plus the optional rest. */
export interface ScheduleTiming {
  /** e.g. `0 9 * * MON-FRI` (5 fields; 6 adds the year, 7 puts seconds first) or `@daily`. */
  cron?: string;
  /** e.g. `1h`, `90s`, `1d/9h` (every day at 09:00 UTC: interval/offset), or milliseconds. */
  every?: string | number;
  /** A Temporal calendar spec, as an object or its JSON text, e.g. `{"dayOfWeek":"MONDAY","hour":9}`. */
  calendar?: CalendarSpec | string;
  /** IANA time zone the spec (and the task's `{{date}}`) is read in; default UTC. */
  timezone?: string;
  /** Each run fires up to this much later, at random (spreads load). */
  jitter?: string | number;
  /** No runs before this time. */
  start?: Date | string;
  /** No runs after this time. */
  end?: Date | string;
}

export interface SchedulePolicyOptions {
  overlap?: OverlapPolicyName;
  /** How late a missed run may still start (after an outage); default 1 minute. At least 10 s. */
  catchupWindow?: string | number;
  /** Pause the schedule when a run fails (the agent failed or timed out). Default false. */
  pauseOnFailure?: boolean;
}

const fail = (message: string): never => {
  throw new InvalidInputError(message);
};

/** A duration in ms from `90s`, `15m`, `1h`, `2d` or a number of ms; `what` names it in the error. */
export function durationMs(value: string | number, what: string, opts: { allowZero?: boolean } = {}): number {
  if (opts.allowZero && (value === 0 || (typeof value === 'string' && /^\s*0+(\.0+)?(ms|s|m|h|d)?\s*$/.test(value))))
    return 0;
  const ms = typeof value === 'number' ? (Number.isFinite(value) && value > 0 ? value : null) : parseDuration(value);
  if (ms === null) {
    const shown = JSON.stringify(value);
    if (/^\s*-/.test(String(value)) || (typeof value === 'number' && value < 0))
      fail(`${what} must not be negative, got ${shown}`);
    if (/^\s*0+(\.0+)?(ms|s|m|h|d)?\s*$/.test(String(value))) fail(`${what} must be longer than zero, got ${shown}`);
    fail(`${what}: expected a duration like 90s, 15m, 1h or 2d, got ${shown}`);
  }
  return ms!;
}

export function checkTimeZone(timezone: string): string {
  const zone = timezone.trim();
  if (!zone) fail('time zone must not be empty');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    fail(`unknown time zone "${timezone}" (expected an IANA name like Europe/Paris or America/New_York)`);
  }
  return zone;
}

function dateOf(value: Date | string, what: string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime()))
    fail(`${what}: expected a date and time like 2026-01-31T09:00:00Z, got ${JSON.stringify(String(value))}`);
  return date;
}

// ---- cron -------------------------------------------------------------------------------------------------------

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const SHORTHANDS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Value of names[0]. */
  nameBase?: number;
}
const SECOND: CronField = { name: 'second', min: 0, max: 59 };
const MINUTE: CronField = { name: 'minute', min: 0, max: 59 };
const HOUR: CronField = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: CronField = { name: 'day of month', min: 1, max: 31 };
const MONTH: CronField = { name: 'month', min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 };
const DAY_OF_WEEK: CronField = { name: 'day of week', min: 0, max: 7, names: DAY_NAMES, nameBase: 0 };
const YEAR: CronField = { name: 'year', min: 1970, max: 2999 };

function cronValue(text: string, field: CronField, problem: (detail: string) => never): number {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + (field.nameBase ?? 0);
  if (!/^\d+$/.test(text)) {
    const names = field.names ? ` or a name like ${field.names[0]}` : '';
    problem(`"${text}" is not a number${names}`);
  }
  const n = Number(text);
  if (n < field.min || n > field.max) problem(`${n} is out of range ${field.min}-${field.max}`);
  return n;
}

function checkCronField(text: string, field: CronField, position: number, cron: string): void {
  const problem = (detail: string): never =>
    fail(`bad cron expression "${cron}": field ${position} (${field.name}) "${text}": ${detail}`);
  for (const item of text.split(',')) {
    if (item === '') problem('empty list item');
    const [range, step, extra] = item.split('/');
    if (extra !== undefined) problem(`"${item}" has more than one "/"`);
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1))
      problem(`step "${step}" must be a whole number ≥ 1`);
    if (range === '*' || (range === '?' && (field === DAY_OF_MONTH || field === DAY_OF_WEEK))) continue;
    const [from, to, more] = range!.split('-');
    if (more !== undefined) problem(`"${range}" is not a range like 1-5`);
    const start = cronValue(from!, field, problem);
    if (to !== undefined) {
      const end = cronValue(to, field, problem);
      if (end < start) problem(`range ${range} ends before it starts`);
    }
  }
}

/** Checks a cron expression field by field; returns it with any `CRON_TZ=`/`TZ=` prefix split off. */
export function checkCron(expression: string): { cron: string; timezone?: string } {
  let text = expression.trim();
  if (!text) fail('cron expression must not be empty');
  let timezone: string | undefined;
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(text);
  if (tz) {
    timezone = checkTimeZone(tz[1]!);
    text = text.slice(tz[0].length);
  }
  const body = text.replace(/\s*#.*$/, '').trim();
  if (body.startsWith('@')) {
    if (body.startsWith('@every')) fail(`use --every for intervals, not "${expression}" as a cron expression`);
    if (!SHORTHANDS.includes(body.toLowerCase()))
      fail(`bad cron expression "${expression}": unknown shorthand "${body}" (known: ${SHORTHANDS.join(', ')})`);
    return { cron: text, ...(timezone ? { timezone } : {}) };
  }
  const fields = body.split(/\s+/);
  const layouts: Record<number, CronField[]> = {
    5: [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK],
    6: [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR],
    7: [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR],
  };
  const layout = layouts[fields.length];
  if (!layout)
    fail(
      `bad cron expression "${expression}": expected 5 fields (minute hour day-of-month month day-of-week), ` +
        `6 (plus year) or 7 (seconds first), got ${fields.length}`,
    );
  fields.forEach((f, i) => checkCronField(f, layout![i]!, i + 1, expression));
  return { cron: text, ...(timezone ? { timezone } : {}) };
}

// ---- calendar ----------------------------------------------------------------------------------------------------

const CALENDAR_FIELDS: Record<string, CronField | 'text'> = {
  second: SECOND,
  minute: MINUTE,
  hour: HOUR,
  dayOfMonth: DAY_OF_MONTH,
  month: { name: 'month', min: 0, max: 0 },
  dayOfWeek: { name: 'dayOfWeek', min: 0, max: 0 },
  year: YEAR,
  comment: 'text',
};
const FULL_MONTHS = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
];
const FULL_DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

function checkCalendarValue(key: string, value: unknown): void {
  const problem = (detail: string): never => fail(`bad calendar spec: "${key}" ${detail}`);
  const check = (v: unknown) => {
    if (key === 'month' || key === 'dayOfWeek') {
      const names = key === 'month' ? FULL_MONTHS : FULL_DAYS;
      if (typeof v !== 'string' || !names.includes(v))
        problem(`must be one of ${names.join(', ')}, got ${JSON.stringify(v)}`);
      return;
    }
    const field = CALENDAR_FIELDS[key] as CronField;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < field.min || v > field.max)
      problem(`must be a whole number in ${field.min}-${field.max}, got ${JSON.stringify(v)}`);
  };
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) problem('must not be an empty list');
  for (const item of items) {
    if (item === '*' && !Array.isArray(value)) continue;
    if (item && typeof item === 'object') {
      const range = item as Record<string, unknown>;
      const unknown = Object.keys(range).filter((k) => !['start', 'end', 'step'].includes(k));
      if (unknown.length) problem(`range has unknown key(s) ${unknown.join(', ')} (known: start, end, step)`);
      check(range.start);
      if (range.end !== undefined) check(range.end);
      if (
        range.step !== undefined &&
        (typeof range.step !== 'number' || !Number.isInteger(range.step) || range.step < 1)
      )
        problem(`step must be a whole number ≥ 1, got ${JSON.stringify(range.step)}`);
    } else check(item);
  }
}

export function checkCalendar(spec: CalendarSpec | string): CalendarSpec {
  let value: unknown = spec;
  if (typeof spec === 'string') {
    try {
      value = JSON.parse(spec);
    } catch (err) {
      fail(
        `bad calendar spec: not valid JSON (${(err as Error).message}); expected e.g. {"dayOfWeek":"MONDAY","hour":9}`,
      );
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    fail('bad calendar spec: expected an object like {"dayOfWeek":"MONDAY","hour":9}');
  const calendar = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(calendar)) {
    const field = CALENDAR_FIELDS[key];
    if (!field) fail(`bad calendar spec: unknown field "${key}" (known: ${Object.keys(CALENDAR_FIELDS).join(', ')})`);
    if (field === 'text') {
      if (typeof v !== 'string') fail('bad calendar spec: "comment" must be text');
    } else checkCalendarValue(key, v);
  }
  return calendar as CalendarSpec;
}

// ---- the whole spec and the policies -----------------------------------------------------------------------------

/** The interval and offset of `--every 1h` or `--every 1d/9h`. */
export function checkEvery(every: string | number): { every: number; offset?: number } {
  const [interval, offset, extra] = typeof every === 'number' ? [every] : every.split('/');
  if (extra !== undefined) fail(`interval "${every}": expected an interval and at most one offset, like 1d/9h`);
  const ms = durationMs(interval!, 'interval');
  if (ms < 1000) fail(`interval must be at least 1s (Temporal counts whole seconds), got ${JSON.stringify(every)}`);
  if (offset === undefined) return { every: ms };
  const offsetMs = durationMs(offset, 'interval offset', { allowZero: true });
  if (offsetMs >= ms) fail(`interval offset ${offset} must be shorter than the interval ${interval}`);
  return { every: ms, offset: offsetMs };
}

export function compileSpec(timing: ScheduleTiming, now = new Date()): ScheduleSpec {
  // The library takes timings from plain JavaScript too: wrong types get the same clear refusal as bad text.
  if (!timing || typeof timing !== 'object' || Array.isArray(timing)) fail('the schedule timing must be an object');
  for (const [key, types] of [
    ['cron', ['string']],
    ['every', ['string', 'number']],
    ['calendar', ['string', 'object']],
    ['timezone', ['string']],
    ['jitter', ['string', 'number']],
  ] as const) {
    const value = timing[key];
    if (value !== undefined && (value === null || !(types as readonly string[]).includes(typeof value)))
      fail(
        `${key} must be a ${types.join(' or ')}, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
      );
  }
  const given = (['cron', 'every', 'calendar'] as const).filter((k) => timing[k] !== undefined);
  if (given.length !== 1)
    fail(
      given.length
        ? `give only one of cron, every or calendar (got ${given.join(' and ')})`
        : 'give when to run: a cron expression, an interval (every) or a calendar spec',
    );
  const spec: ScheduleSpec = {};
  let timezone = timing.timezone === undefined ? undefined : checkTimeZone(timing.timezone);
  if (timing.cron !== undefined) {
    const cron = checkCron(timing.cron);
    if (cron.timezone && timezone && cron.timezone !== timezone)
      fail(`the cron expression names time zone ${cron.timezone} but the timezone given is ${timezone}`);
    timezone ??= cron.timezone;
    spec.cronExpressions = [cron.cron.replace(/^(?:CRON_TZ|TZ)=\S+\s+/, '')];
  }
  let interval: number | undefined;
  if (timing.every !== undefined) {
    const every = checkEvery(timing.every);
    interval = every.every;
    spec.intervals = [every];
  }
  if (timing.calendar !== undefined) spec.calendars = [checkCalendar(timing.calendar)];
  if (timezone) spec.timezone = timezone;
  if (timing.jitter !== undefined) {
    const jitter = durationMs(timing.jitter, 'jitter', { allowZero: true });
    if (interval !== undefined && jitter >= interval)
      fail(`jitter ${JSON.stringify(timing.jitter)} must be shorter than the interval ${JSON.stringify(timing.every)}`);
    spec.jitter = jitter;
  }
  if (timing.start !== undefined) spec.startAt = dateOf(timing.start, 'start');
  if (timing.end !== undefined) {
    spec.endAt = dateOf(timing.end, 'end');
    if (spec.startAt && spec.endAt <= spec.startAt)
      fail(`end ${spec.endAt.toISOString()} is not after start ${spec.startAt.toISOString()}`);
    if (spec.endAt <= now) fail(`end ${spec.endAt.toISOString()} is in the past: the schedule would never run`);
  }
  return spec;
}

export function overlapPolicy(name: string): ScheduleOverlapPolicy {
  const policy = OVERLAP_POLICIES[name as OverlapPolicyName];
  if (!policy) fail(`unknown overlap policy "${name}" (known: ${Object.keys(OVERLAP_POLICIES).join(', ')})`);
  return policy;
}

/** Temporal's overlap name back to ours, e.g. BUFFER_ONE → buffer-one. */
export function overlapName(policy: string | undefined): OverlapPolicyName {
  const found = Object.entries(OVERLAP_POLICIES).find(([, p]) => p === policy);
  return (found?.[0] as OverlapPolicyName | undefined) ?? 'skip';
}

export function compilePolicies(p: SchedulePolicyOptions): NonNullable<ScheduleOptions['policies']> {
  const catchupWindow =
    p.catchupWindow === undefined ? DEFAULT_CATCHUP_WINDOW_MS : durationMs(p.catchupWindow, 'catch-up window');
  if (catchupWindow < 10_000)
    fail(`catch-up window must be at least 10s (Temporal's minimum), got ${JSON.stringify(p.catchupWindow)}`);
  return {
    overlap: overlapPolicy(p.overlap ?? 'skip'),
    catchupWindow,
    pauseOnFailure: p.pauseOnFailure ?? false,
  };
}
