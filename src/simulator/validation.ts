// FastAPI-shaped 422s: `{"detail": [{"type", "loc", "msg", "input", "ctx"?}]}` for bodies (via zod), query
// parameters and path parameters, so clients parse simulator errors exactly like the real API's.
import type { z } from 'zod';
import { HttpError, json } from './http';
import type { Json, JsonObject } from './model';

export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: Json;
  ctx?: JsonObject;
}

export function validationError(issues: ValidationIssue[]): HttpError {
  return new HttpError(json(422, { detail: issues }));
}

/** Inputs come from parsed JSON bodies, so they are JSON already. */
function toJson(value: unknown): Json {
  return (value === undefined ? null : value) as Json;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

const TYPE_NAMES: Record<string, [string, string]> = {
  string: ['string_type', 'Input should be a valid string'],
  number: ['float_type', 'Input should be a valid number'],
  int: ['int_type', 'Input should be a valid integer'],
  boolean: ['bool_type', 'Input should be a valid boolean'],
  object: ['dict_type', 'Input should be a valid dictionary'],
  record: ['dict_type', 'Input should be a valid dictionary'],
  array: ['list_type', 'Input should be a valid list'],
};

function fromZodIssue(issue: z.core.$ZodIssue, root: unknown, prefix: (string | number)[]): ValidationIssue[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const loc = [...prefix, ...path];
  const input = toJson(valueAt(root, issue.path));
  switch (issue.code) {
    case 'invalid_type': {
      if (valueAt(root, issue.path) === undefined) {
        return [{ type: 'missing', loc, msg: 'Field required', input: toJson(valueAt(root, issue.path.slice(0, -1))) }];
      }
      const [type, msg] = TYPE_NAMES[issue.expected] ?? ['value_error', `Input should be a valid ${issue.expected}`];
      return [{ type, loc, msg, input }];
    }
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        type: 'extra_forbidden',
        loc: [...loc, key],
        msg: 'Extra inputs are not permitted',
        input: toJson(valueAt(root, [...issue.path, key])),
      }));
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = Number(small ? issue.minimum : issue.maximum);
      if (issue.origin === 'string') {
        const type = small ? 'string_too_short' : 'string_too_long';
        const msg = `String should have at ${small ? 'least' : 'most'} ${bound} character${bound === 1 ? '' : 's'}`;
        return [{ type, loc, msg, input, ctx: { [small ? 'min_length' : 'max_length']: bound } }];
      }
      if (issue.origin === 'array') {
        const msg = `List should have at ${small ? 'least' : 'most'} ${bound} item${bound === 1 ? '' : 's'} after validation`;
        return [{ type: small ? 'too_short' : 'too_long', loc, msg, input, ctx: { field_type: 'List' } }];
      }
      const inclusive = issue.inclusive !== false;
      const [type, words, ctxKey] = small
        ? inclusive
          ? ['greater_than_equal', 'greater than or equal to', 'ge']
          : ['greater_than', 'greater than', 'gt']
        : inclusive
          ? ['less_than_equal', 'less than or equal to', 'le']
          : ['less_than', 'less than', 'lt'];
      return [{ type, loc, msg: `Input should be ${words} ${bound}`, input, ctx: { [ctxKey]: bound } }];
    }
    case 'invalid_value': {
      const expected = issue.values.map((v) => `'${String(v)}'`).join(' or ');
      return [{ type: 'literal_error', loc, msg: `Input should be ${expected}`, input, ctx: { expected } }];
    }
    case 'invalid_union': {
      if (issue.discriminator !== undefined) {
        // zod points at the tag itself; FastAPI points at the object carrying it.
        const at = issue.path.at(-1) === issue.discriminator ? issue.path.slice(0, -1) : issue.path;
        const objectLoc = [...prefix, ...at.filter((p): p is string | number => typeof p !== 'symbol')];
        const object = toJson(valueAt(root, at));
        const tag = valueAt(root, [...at, issue.discriminator]);
        const tags = ('options' in issue ? (issue.options ?? []) : []).map((o) => `'${String(o)}'`).join(', ');
        const discriminator = `'${issue.discriminator}'`;
        if (tag === undefined) {
          const msg = `Unable to extract tag using discriminator ${discriminator}`;
          return [{ type: 'union_tag_not_found', loc: objectLoc, msg, input: object, ctx: { discriminator } }];
        }
        const msg = `Input tag '${String(tag)}' found using ${discriminator} does not match any of the expected tags: ${tags}`;
        const ctx = { discriminator, tag: String(tag), expected_tags: tags };
        return [{ type: 'union_tag_invalid', loc: objectLoc, msg, input: object, ctx }];
      }
      // Report the branch that came closest, as its own errors.
      const branches = issue.errors.filter((b) => b.length > 0).sort((a, b) => a.length - b.length);
      const best = branches[0];
      return best
        ? best.flatMap((i) =>
            fromZodIssue({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue, root, prefix),
          )
        : [{ type: 'value_error', loc, msg: issue.message, input }];
    }
    default:
      return [{ type: 'value_error', loc, msg: `Value error, ${issue.message}`, input }];
  }
}

/** Parses `value` or throws a FastAPI-shaped 422 with locations under `prefix` (e.g. ["body"]). */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: (string | number)[] = ['body'],
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationError(result.error.issues.flatMap((i) => fromZodIssue(i, value, prefix)));
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** A path parameter typed `uuid` in the spec. */
export function checkUuid(name: string, value: string): ValidationIssue | undefined {
  if (UUID_RE.test(value)) return undefined;
  return { type: 'uuid_parsing', loc: ['path', name], msg: 'Input should be a valid UUID', input: value };
}

/** A path or query integer, as FastAPI parses it. */
export function parseIntParam(raw: string): number | undefined {
  return /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : undefined;
}

/** A JSON request body, or the 422 FastAPI gives for a missing or undecodable one. */
export function jsonFrom(raw: Buffer): unknown {
  if (raw.length === 0) throw validationError([{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
  const text = raw.toString('utf8');
  const depth = nestingDepth(text);
  if (depth > MAX_JSON_DEPTH)
    throw validationError([
      {
        type: 'json_invalid',
        loc: ['body'],
        msg: `JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
        input: {},
        ctx: { error: `depth ${depth}` },
      },
    ]);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = (err as Error).message;
    const position = Number(/position (\d+)/.exec(message)?.[1] ?? 0);
    throw validationError([
      { type: 'json_invalid', loc: ['body', position], msg: 'JSON decode error', input: {}, ctx: { error: message } },
    ]);
  }
}

/** Deeper bodies get a 422 instead of exhausting the stack in validation or in the echo of the input. */
export const MAX_JSON_DEPTH = 512;

/** The deepest `[`/`{` nesting of a JSON text, strings skipped; one pass, no recursion. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) max = Math.max(max, ++depth);
    else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return max;
}
