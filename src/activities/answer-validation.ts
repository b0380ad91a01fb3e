// Checks an answer against the session's answer schema (JSON Schema), so a mismatch is reported, not hidden.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';

const ajv = new Ajv2020({ allErrors: true, strict: false });
const compiled = new Map<string, ValidateFunction>();

export interface AnswerCheck {
  valid: boolean;
  errors?: string[];
}

export function checkAnswer(schema: Record<string, unknown>, answer: unknown): AnswerCheck {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    // The meta-schema URI is for the platform; Ajv2020 reads draft-07 and 2020-12 schemas alike without it.
    const { $schema: _ignored, ...body } = schema;
    validate = ajv.compile(body);
    compiled.set(key, validate);
  }
  if (validate(answer)) return { valid: true };
  return {
    valid: false,
    errors: (validate.errors ?? []).map((e) => `${e.instancePath || '(answer)'} ${e.message ?? 'is invalid'}`),
  };
}
