// How the CLI shows sessions to people (text) and to scripts (--json: one JSON object per line).
import type { SessionProgress, SessionResult, Transition } from '../shared/session';
import { EXIT } from './exit-codes';

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

export const formatAnswer = (answer: unknown): string =>
  typeof answer === 'string' ? answer : JSON.stringify(answer, null, 2);

export function formatTransition(t: Transition): string {
  const where = t.eventIndex === null ? '' : ` #${t.eventIndex}`;
  const status = t.status ? ` ${t.status}` : '';
  const detail = t.detail ? ` (${t.detail})` : '';
  return `${t.at || '-'}${where} ${t.kind}${status}${detail}`;
}

export function formatProgress(p: SessionProgress): string {
  const lines = [
    `workflow   ${p.workflowId}`,
    `session    ${p.sessionId ?? '(not created yet)'}`,
    `status     ${p.ending ? `${p.ending.outcome}, platform ${p.status}` : `${p.status} (${p.phase})`}`,
    `steps      ${p.steps}`,
    `turns      ${p.turns.length}`,
  ];
  if (p.ending) lines.push(`result     ${p.ending.outcome} (ended by ${p.ending.endedBy})`);
  if (p.costUsd !== null && p.costUsd !== undefined) lines.push(`cost       $${p.costUsd.toFixed(4)}`);
  if (p.awaiting)
    lines.push(`waiting    for ${p.awaiting.kind === 'approval' ? 'a decision' : 'a reply'} since ${p.awaiting.since}`);
  if (p.agentViewUrl) lines.push(`agent view ${p.agentViewUrl}`);
  if (p.error) lines.push(`error      ${p.error}${p.errorCode ? ` [${p.errorCode}]` : ''}`);
  if (p.answer !== null && p.answer !== undefined) lines.push(`answer     ${formatAnswer(p.answer)}`);
  return lines.join('\n');
}

export function formatResult(r: SessionResult): string {
  const lines = [
    `${r.status} (platform: ${r.platformStatus}, ended by ${r.endedBy}) · ${r.steps} steps · ${r.turns.length} turn(s)` +
      (r.costUsd !== null && r.costUsd !== undefined ? ` · $${r.costUsd.toFixed(4)}` : ''),
  ];
  if (r.error) lines.push(`error: ${r.error}${r.errorCode ? ` [${r.errorCode}]` : ''}`);
  if (r.answerValid === false) lines.push(`answer does not match the schema: ${(r.answerErrors ?? []).join('; ')}`);
  if (r.answer !== null && r.answer !== undefined) lines.push(formatAnswer(r.answer));
  return lines.join('\n');
}

export function exitCodeOf(r: SessionResult): number {
  if (r.status === 'cancelled') return EXIT.cancelled;
  if (r.status === 'failed' || r.status === 'timed_out') return EXIT.agentFailed;
  return EXIT.ok;
}
