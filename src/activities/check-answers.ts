import { checkAnswer } from '../shared/answer-schema';
import type { AnswerEvent } from './event-transitions';
import type { CheckedAnswer } from './watch-session';

export interface CheckAnswersInput {
  answerSchema: Record<string, unknown>;
  answers: AnswerEvent[];
}

/**
 * Checks the answers a watch brought against the session's answer schema. A local activity, run once per
 * answered turn, so the schema travels with answers only instead of with every watch.
 */
export function checkAnswersActivity() {
  return async function checkAnswers({ answerSchema, answers }: CheckAnswersInput): Promise<CheckedAnswer[]> {
    return answers.map((a) => ({ ...a, ...checkAnswer(answerSchema, a.answer) }));
  };
}
