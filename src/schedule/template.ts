// The run's scheduled time in a task's text: `{{scheduledTime}}` (ISO 8601 with the zone's offset) and `{{date}}`
// (YYYY-MM-DD), both in the schedule's time zone. Pure and deterministic, so the workflow renders with it.
export const PLACEHOLDERS = ['scheduledTime', 'date'] as const;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export interface LocalTime {
  /** e.g. 2026-05-07T09:00:00+02:00 */
  scheduledTime: string;
  /** e.g. 2026-05-07 */
  date: string;
}

/** The instant as a wall-clock time in `timeZone`. Throws a RangeError for an unknown zone. */
export function localTime(at: Date, timeZone: string): LocalTime {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const zone = part('timeZoneName').replace(/^GMT/, '');
  const offset = zone === '' || zone === '+00:00' || zone === '-00:00' ? 'Z' : zone;
  const date = `${part('year')}-${part('month')}-${part('day')}`;
  return { date, scheduledTime: `${date}T${part('hour')}:${part('minute')}:${part('second')}${offset}` };
}

/** Placeholders in the text that are not known, e.g. `["{{time}}"]`. */
export function unknownPlaceholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)]
    .filter((m) => !(PLACEHOLDERS as readonly string[]).includes(m[1]!))
    .map((m) => m[0]);
}

export function renderTask(text: string, at: Date, timeZone: string): string {
  const local = localTime(at, timeZone);
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    name === 'scheduledTime' ? local.scheduledTime : name === 'date' ? local.date : whole,
  );
}
