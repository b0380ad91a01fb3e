// Query parameters read the way FastAPI reads them; all errors of a request are reported together in one 422.
import { parseIntParam, type ValidationIssue, validationError } from './validation';

const TRUE = new Set(['1', 'true', 't', 'yes', 'y', 'on']);
const FALSE = new Set(['0', 'false', 'f', 'no', 'n', 'off']);

export class QueryReader {
  private readonly issues: ValidationIssue[] = [];

  constructor(private readonly query: URLSearchParams) {}

  int(name: string, fallback: number, bounds?: { min?: number; max?: number }): number {
    return this.optionalInt(name, bounds) ?? fallback;
  }

  optionalInt(name: string, bounds: { min?: number; max?: number } = {}): number | undefined {
    const raw = this.query.get(name);
    if (raw === null) return undefined;
    const value = parseIntParam(raw);
    const loc = ['query', name];
    if (value === undefined) {
      this.issues.push({
        type: 'int_parsing',
        loc,
        msg: 'Input should be a valid integer, unable to parse string as an integer',
        input: raw,
      });
    } else if (bounds.min !== undefined && value < bounds.min) {
      const msg = `Input should be greater than or equal to ${bounds.min}`;
      this.issues.push({ type: 'greater_than_equal', loc, msg, input: raw, ctx: { ge: bounds.min } });
    } else if (bounds.max !== undefined && value > bounds.max) {
      const msg = `Input should be less than or equal to ${bounds.max}`;
      this.issues.push({ type: 'less_than_equal', loc, msg, input: raw, ctx: { le: bounds.max } });
    } else return value;
    return undefined;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.query.get(name);
    if (raw === null) return fallback;
    const lower = raw.toLowerCase();
    if (TRUE.has(lower)) return true;
    if (FALSE.has(lower)) return false;
    const msg = 'Input should be a valid boolean, unable to interpret input';
    this.issues.push({ type: 'bool_parsing', loc: ['query', name], msg, input: raw });
    return fallback;
  }

  string(name: string): string | undefined {
    return this.query.get(name) ?? undefined;
  }

  /** Repeatable enum parameter (`?status=a&status=b`). */
  list<T extends string>(name: string, allowed: readonly T[]): T[] {
    const out: T[] = [];
    this.query.getAll(name).forEach((raw, i) => {
      if ((allowed as readonly string[]).includes(raw)) out.push(raw as T);
      else this.issues.push(enumIssue(['query', name, i], raw, allowed));
    });
    return out;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const raw = this.query.get(name);
    if (raw === null) return undefined;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.issues.push(enumIssue(['query', name], raw, allowed));
    return undefined;
  }

  /** ISO date-time, as epoch ms. */
  date(name: string): number | undefined {
    const raw = this.query.get(name);
    if (raw === null) return undefined;
    const ms = Date.parse(raw);
    if (!Number.isNaN(ms)) return ms;
    const msg = 'Input should be a valid datetime';
    this.issues.push({ type: 'datetime_from_date_parsing', loc: ['query', name], msg, input: raw });
    return undefined;
  }

  /** Throws the collected 422, if any. */
  done(): void {
    if (this.issues.length > 0) throw validationError(this.issues);
  }
}

function enumIssue(loc: (string | number)[], raw: string, allowed: readonly string[]): ValidationIssue {
  const expected = allowed
    .map((a) => `'${a}'`)
    .join(', ')
    .replace(/, ([^,]*)$/, ' or $1');
  return { type: 'enum', loc, msg: `Input should be ${expected}`, input: raw, ctx: { expected } };
}
