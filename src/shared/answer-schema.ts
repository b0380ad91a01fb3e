// Answer schemas (JSON Schema) compiled once with Ajv: a schema that cannot be compiled is refused before
// anything is created, and a compiled one checks each answer, so a mismatch is reported, not hidden.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';

// No loadSchema: a remote `$ref` cannot be resolved, so it is refused rather than fetched by the worker.
const ajv = new Ajv2020({ allErrors: true, strict: false });
const compiled = new Map<string, ValidateFunction>();

export interface AnswerCheck {
  valid: boolean;
  errors?: string[];
}

/** The compiled schema, or why it is not a usable JSON Schema. */
export function compileAnswerSchema(
  schema: Record<string, unknown>,
): { ok: true; validate: ValidateFunction } | { ok: false; error: string } {
  const key = JSON.stringify(schema);
  const cached = compiled.get(key);
  if (cached) return { ok: true, validate: cached };
  // The meta-schema URI is for the platform; Ajv2020 reads draft-07 and 2020-12 schemas alike without it.
  const { $schema: _ignored, ...body } = schema;
  if (!ajv.validateSchema(body)) {
    const why = (ajv.errors ?? []).map((e) => `${e.instancePath || '(schema)'} ${e.message ?? 'is invalid'}`);
    return { ok: false, error: `not a valid JSON Schema: ${why.slice(0, 3).join('; ')}` };
  }
  try {
    const validate = ajv.compile(body);
    compiled.set(key, validate);
    return { ok: true, validate };
  } catch (err) {
    return { ok: false, error: `cannot be compiled: ${(err as Error).message}` };
  }
}

export function checkAnswer(schema: Record<string, unknown>, answer: unknown): AnswerCheck {
  const compiledSchema = compileAnswerSchema(schema);
  if (!compiledSchema.ok) return { valid: false, errors: [`the answer schema ${compiledSchema.error}`] };
  const { validate } = compiledSchema;
  if (validate(answer)) return { valid: true };
  return {
    valid: false,
    errors: (validate.errors ?? []).map((e) => `${e.instancePath || '(answer)'} ${e.message ?? 'is invalid'}`),
  };
}
