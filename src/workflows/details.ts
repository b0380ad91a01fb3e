// The Web UI's "Current Details" of a session: what it is doing or waiting for, at a glance, in markdown.
import type { SessionState } from './session-state';

const ANSWER_PREVIEW = 200;

function answerPreview(answer: unknown): string {
  const text = typeof answer === 'string' ? answer : JSON.stringify(answer);
  const line = (text ?? '').replace(/\s+/g, ' ').trim();
  return line.length > ANSWER_PREVIEW ? `${line.slice(0, ANSWER_PREVIEW)}…` : line;
}

export function currentDetails(state: SessionState, workflowId: string, maxRounds?: number): string {
  const cost = state.costUsd !== null ? ` · $${state.costUsd.toFixed(4)}` : '';
  const facts = `${state.status} on the platform · ${state.steps} steps · turn ${state.currentTurn.index + 1}${cost}`;
  const { awaiting, ending } = state;
  if (ending) {
    const why = ending.error ? `: ${ending.error}` : '';
    return `**${ending.outcome}** (ended by ${ending.endedBy})${why}\n- **Status**: ${facts}`;
  }
  if (awaiting?.kind === 'approval') {
    const rounds = maxRounds ? ` of ${maxRounds}` : '';
    return [
      `**Awaiting approval** (round ${awaiting.round ?? 1}${rounds}, since ${awaiting.since}): ` +
        `\`hai-temporal approve ${workflowId}\` or \`hai-temporal reject ${workflowId} --reason …\``,
      `- **Status**: ${facts}`,
      `- **Answer**: > ${answerPreview(awaiting.answer)}`,
    ].join('\n');
  }
  if (awaiting?.kind === 'input') {
    return [
      `**Waiting for a reply** (since ${awaiting.since}): \`hai-temporal reply ${workflowId} "…"\``,
      `- **Status**: ${facts}`,
      `- **The agent said**: > ${answerPreview(awaiting.answer)}`,
    ].join('\n');
  }
  return `**${state.status}** · ${state.steps} steps · turn ${state.currentTurn.index + 1}${cost}`;
}
