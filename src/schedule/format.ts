// How schedules and their runs read in a terminal; `--json` prints the objects themselves.
import type { ScheduleOverview } from './client';
import type { ScheduledRunEntry } from './history';

const usd = (value: number | null) => (value === null ? '-' : `$${value < 0.01 ? value.toFixed(4) : value.toFixed(2)}`);
const oneLine = (value: unknown, max = 80) => {
  const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value);
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export function describeSpec(o: ScheduleOverview): string {
  const parts: string[] = [];
  for (const i of o.spec.intervals ?? [])
    parts.push(`every ${i.every / 1000}s${i.offset ? ` (offset ${i.offset / 1000}s)` : ''}`);
  for (const c of o.spec.calendars ?? []) {
    const field = (name: string, ranges: { start: number | string; end: number | string; step: number }[]) =>
      `${name}=${ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}${r.step > 1 ? `/${r.step}` : ''}`)).join(',')}`;
    parts.push(
      [
        field('second', c.second),
        field('minute', c.minute),
        field('hour', c.hour),
        field('day', c.dayOfMonth),
        field('month', c.month),
        field('weekday', c.dayOfWeek),
        ...(c.year.length ? [field('year', c.year)] : []),
      ].join(' '),
    );
  }
  const extra = [
    o.spec.jitter ? `jitter ${o.spec.jitter / 1000}s` : '',
    o.spec.startAt ? `from ${o.spec.startAt.toISOString()}` : '',
    o.spec.endAt ? `until ${o.spec.endAt.toISOString()}` : '',
  ].filter(Boolean);
  return [parts.join('; ') || '-', ...extra].join(', ');
}

export function formatOverview(o: ScheduleOverview, nextShown = 5): string {
  const run = o.run;
  const lines = [
    `schedule     ${o.name}${o.paused ? ' (paused)' : ''}`,
    `when         ${describeSpec(o)} (${o.timezone})`,
    `task         ${run.tasks ? `${run.tasks.length} tasks (a batch per run)` : oneLine(run.task, 100)}`,
    `agent        ${typeof run.session.agent === 'string' ? run.session.agent : run.session.agent ? 'inline agent' : '(default)'}`,
    `policies     overlap ${o.overlap}, catch-up window ${o.catchupWindowMs / 1000}s, pause on failure ${o.pauseOnFailure ? 'on' : 'off'}, quota wait ${run.quotaWaitMs / 1000}s`,
  ];
  if (o.note) lines.push(`note         ${o.note}`);
  lines.push(
    `runs         ${o.actions.taken} started, ${o.actions.running} running, ${o.actions.skippedOverlap} skipped (overlap), ${o.actions.missedCatchupWindow} missed (catch-up window)`,
  );
  const next = o.nextFireTimes.slice(0, nextShown);
  lines.push(`next runs    ${next.length ? next.map((t) => t.toISOString()).join('\n             ') : '(none)'}`);
  const c = o.cost;
  lines.push(
    c.medianCostUsd === null
      ? 'cost         (no priced runs yet)'
      : `cost         median ${usd(c.medianCostUsd)} per run (${c.pricedRuns} runs)` +
          (c.projectedCostPerDayUsd === null
            ? ''
            : `, projected ${usd(c.projectedCostPerDayUsd)} per day at ${round(c.firesPerDay!)} runs a day`),
  );
  return lines.join('\n');
}

const round = (n: number) => (n >= 10 ? Math.round(n).toString() : n.toFixed(2));

export function formatRun(r: ScheduledRunEntry): string {
  const status = r.skipped ? `skipped (${r.skipped.reason})` : r.status;
  const what = r.skipped ? r.skipped.detail : r.error ? `error: ${oneLine(r.error)}` : oneLine(r.answer);
  return [r.scheduledTime.toISOString(), status.padEnd(17), usd(r.costUsd).padStart(8), what, r.agentViewUrl ?? '']
    .filter((x) => x !== '')
    .join('  ');
}
