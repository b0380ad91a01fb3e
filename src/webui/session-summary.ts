// What the Temporal Web UI shows of a session before it has done anything: a one-line summary for the workflow
// list ("agent session · agent · task") and markdown details for its page (Temporal's user metadata, set at start).
// Never secrets: the notify URL (which may carry a token) is shown only as present.
import { DEFAULT_AGENT, type SessionInput } from '../shared/input';

const MAX_SUMMARY = 200;
const MAX_TASK_IN_DETAILS = 2_000;

const agentName = (agent: SessionInput['agent']): string =>
  typeof agent === 'string'
    ? agent
    : agent
      ? `inline agent${typeof agent.name === 'string' ? ` ${agent.name}` : ''}`
      : DEFAULT_AGENT;

const taskOf = (input: SessionInput): string => input.task ?? input.messages?.[0]?.message ?? '';

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** `agent session · h/web-surfer-flash · Find the top 3 stories…`: tells sessions apart in the workflow list. */
export function sessionSummary(input: SessionInput): string {
  return clip(`agent session · ${agentName(input.agent)} · ${oneLine(taskOf(input))}`, MAX_SUMMARY);
}

/** Markdown for the session's page: the task in full and how it was asked to run. */
export function sessionDetails(input: SessionInput): string {
  const rows: [string, string | undefined][] = [
    ['Agent', `\`${agentName(input.agent)}\``],
    ['Steps at most', input.maxSteps?.toString()],
    ['Time at most', input.maxTimeS === undefined ? undefined : `${input.maxTimeS} s`],
    ['Cost at most', input.maxCostUsd === undefined ? undefined : `$${input.maxCostUsd}`],
    ['Interactive', input.idleTimeoutS === undefined ? 'no (one answer)' : `yes, idle timeout ${input.idleTimeoutS} s`],
    [
      'Approval',
      input.approval
        ? `required${input.approval.timeout === undefined ? '' : `, timeout ${String(input.approval.timeout)}`}, on timeout ${input.approval.onTimeout ?? 'reject'}`
        : undefined,
    ],
    ['Answer schema', input.answerSchema ? 'yes (the answer is validated)' : undefined],
    ['Tools', input.tools?.length ? input.tools.map((t) => `\`${t}\``).join(', ') : undefined],
    ['Group', input.groupId],
    ['Notifies a person', input.notifyUrl ? 'yes' : undefined],
  ];
  const task = clip(taskOf(input).trim(), MAX_TASK_IN_DETAILS)
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
  return [
    '### Agent session',
    task,
    '',
    ...rows.filter(([, v]) => v !== undefined).map(([k, v]) => `- **${k}**: ${v}`),
    '',
    'Live status, steps, cost and what the session waits for: *Current Details*, or `hai-temporal status <workflow id>`.',
  ].join('\n');
}

/**
 * A default workflow id that says what the session is about (`hai-session-find-the-top-3-stories-1f0c…`): the Web UI's
 * workflow list shows ids, not summaries. 64 random bits keep it unique.
 */
export function sessionWorkflowId(input: SessionInput, random: string = crypto.randomUUID()): string {
  const slug = taskOf(input)
    .replace(/\[[^\]]*\]/g, ' ')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  const suffix = random.replace(/-/g, '').slice(0, 16);
  return slug ? `hai-session-${slug}-${suffix}` : `hai-session-${suffix}`;
}
