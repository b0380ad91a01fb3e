import { describe, expect, it } from 'vitest';
import { sampleAnswer } from '../../src/simulator/sample-answer';
import { parseMessage } from '../../src/simulator/script';

describe('scripted-agent directives', () => {
  it('reads [sim {...}] anywhere in the text and keeps the rest as the task', () => {
    expect(parseMessage('Find flights [sim {"steps": 2, "answer": {"a": "]"}}] to Paris')).toEqual({
      task: 'Find flights to Paris',
      directive: { steps: 2, answer: { a: ']' } },
    });
  });

  it('leaves text without a directive alone, even with brackets that look alike', () => {
    expect(parseMessage('  what is [simple] about this?  ')).toEqual({ task: 'what is [simple] about this?' });
  });

  it('reports unusable directives instead of guessing', () => {
    expect(parseMessage('[sim {"steps": 1]').directiveError).toBe('expected [sim {JSON}]');
    expect(parseMessage('[sim {steps: 1}]').directiveError).toMatch(/not valid JSON/);
    expect(parseMessage('[sim {"stepz": 1}]').directiveError).toMatch(/stepz/);
  });
});

describe('answers generated from answer_format', () => {
  it('builds the smallest value the schema accepts', () => {
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 10 },
        score: { type: 'number', exclusiveMinimum: 5 },
        tags: { type: 'array', items: { type: 'string' } },
        maybe: { anyOf: [{ type: 'null' }, { type: 'integer' }] },
        fixed: { const: 'x' },
        both: { allOf: [{ type: 'object', properties: { a: { type: 'boolean' } }, required: ['a'] }] },
      },
      required: ['name', 'score', 'tags', 'maybe', 'fixed', 'both'],
    };
    expect(sampleAnswer(schema)).toEqual({
      name: 'samplexxxx',
      score: 6,
      tags: [],
      maybe: 1,
      fixed: 'x',
      both: { a: true },
    });
  });
});
