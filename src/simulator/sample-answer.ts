// A minimal value that satisfies a JSON Schema, for sessions with an answer_format whose script gives no answer.
// Covers what answer schemas use in practice (zod/pydantic output): $ref/$defs, anyOf/oneOf/allOf, enum, const,
// the primitive types and simple bounds.
import type { Json, JsonObject } from './model';

type Schema = { [key: string]: unknown };

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function resolveRef(ref: string, root: Schema): Schema {
  // Only local refs ("#/$defs/X"); anything else yields an unconstrained schema.
  if (!ref.startsWith('#/')) return {};
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    node = isSchema(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  return isSchema(node) ? node : {};
}

function sampleNumber(schema: Schema, integer: boolean): number {
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const exclusiveMin = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  let value = 1;
  if (min !== undefined && value < min) value = min;
  if (exclusiveMin !== undefined && value <= exclusiveMin) value = exclusiveMin + 1;
  if (max !== undefined && value > max) value = max;
  return integer ? Math.ceil(value) : value;
}

function sampleString(schema: Schema): string {
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  let s = 'sample';
  if (s.length < min) s = s.padEnd(min, 'x');
  return s.slice(0, max);
}

function sample(schema: Schema, root: Schema, depth: number): Json {
  if (depth > 32) return null;
  if (typeof schema.$ref === 'string') return sample(resolveRef(schema.$ref, root), root, depth + 1);
  if ('const' in schema) return schema.const as Json;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0] as Json;
  if (Array.isArray(schema.allOf)) {
    const merged: Schema = {};
    for (const part of schema.allOf.filter(isSchema)) Object.assign(merged, part);
    const rest = { ...schema };
    delete rest.allOf;
    return sample({ ...merged, ...rest }, root, depth + 1);
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options)) {
      const pick = options.filter(isSchema).find((o) => o.type !== 'null') ?? options.find(isSchema);
      return pick ? sample(pick, root, depth + 1) : null;
    }
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = types.find((t) => t !== 'null') ?? types[0] ?? (isSchema(schema.properties) ? 'object' : undefined);
  switch (type) {
    case 'string':
      return sampleString(schema);
    case 'number':
      return sampleNumber(schema, false);
    case 'integer':
      return sampleNumber(schema, true);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const minItems = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const item = isSchema(schema.items) ? schema.items : {};
      return Array.from({ length: minItems }, () => sample(item, root, depth + 1));
    }
    case 'object': {
      const props = isSchema(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : [];
      const out: JsonObject = {};
      for (const name of required) out[name] = sample(isSchema(props[name]) ? props[name] : {}, root, depth + 1);
      return out;
    }
    default:
      return 'sample';
  }
}

export function sampleAnswer(schema: JsonObject): Json {
  return sample(schema, schema, 0);
}
