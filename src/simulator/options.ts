// Simulator settings. Every behaviour that hai-api.md marks GUESS is an option here, with the documented default,
// so clients can be tested against either answer.
import { z } from 'zod';

export interface FaultOptions {
  /** Share of API requests answered with `errorStatus`. */
  errorRate: number;
  errorStatus: number;
  /** Share of API requests answered 429 with `Retry-After: retryAfterS`. */
  rateLimitRate: number;
  retryAfterS: number;
  /** Added before answering. */
  latencyMs: number;
  /** Share of requests whose connection is destroyed instead of answered (after the request was processed). */
  dropRate: number;
  /** Share of 200 JSON responses whose body is truncated. */
  malformedRate: number;
  /** Only these route names get faults, e.g. "POST /sessions"; all routes when unset or empty. */
  routes?: string[];
  /** When set, injected error statuses carry `Retry-After` with this many seconds too (not only 429s). */
  errorRetryAfterS?: number;
  /** When set, at most this many more faults (errors, 429s, drops) are injected; it counts down. */
  remaining?: number;
}

export interface SimulatorOptions {
  port: number;
  host: string;
  /** When set, only `Bearer <apiKey>` is accepted; when unset, any non-empty bearer key (each key is its own tenant). */
  apiKey?: string;
  stepMs: number;
  bootMs: number;
  defaultSteps: number;
  changesPageCap: number;
  eventsPageMax: number;
  maxWaitForSeconds: number;
  concurrencyLimit: number;
  queuedCountsAgainstQuota: boolean;
  messageToTerminal: 'restart' | 'reject';
  idleTimeoutStatus: 'completed' | 'timed_out';
  maxStepsStatus: 'completed' | 'timed_out';
  maxTimeAnswer: boolean;
  controlOnInactive: 'noop' | 'reject';
  answerAsJsonString: boolean;
  maxBodyBytes: number;
  faults: FaultOptions;
  /** When set, sessions are kept in this JSON file: loaded at start, saved on change and at close. */
  dataFile?: string;
}

export const DEFAULT_FAULTS: FaultOptions = {
  errorRate: 0,
  errorStatus: 503,
  rateLimitRate: 0,
  retryAfterS: 1,
  latencyMs: 0,
  dropRate: 0,
  malformedRate: 0,
};

export const DEFAULT_SIMULATOR_OPTIONS: SimulatorOptions = {
  port: 0,
  host: '127.0.0.1',
  stepMs: 200,
  bootMs: 200,
  defaultSteps: 3,
  changesPageCap: 100,
  eventsPageMax: 200,
  maxWaitForSeconds: 25,
  concurrencyLimit: 10,
  queuedCountsAgainstQuota: false,
  messageToTerminal: 'restart',
  idleTimeoutStatus: 'completed',
  maxStepsStatus: 'completed',
  maxTimeAnswer: true,
  controlOnInactive: 'noop',
  answerAsJsonString: false,
  maxBodyBytes: 10_000_000,
  faults: DEFAULT_FAULTS,
};

/** `routes: null` (or an explicit undefined) removes the route filter. */
export type FaultsPatch = Partial<Omit<FaultOptions, 'routes'>> & { routes?: string[] | null };

const rate = z.number().min(0).max(1);
const nonNegativeInt = z.number().int().min(0);

export const faultsPatchSchema = z.strictObject({
  errorRate: rate.optional(),
  errorStatus: z.number().int().min(400).max(599).optional(),
  rateLimitRate: rate.optional(),
  retryAfterS: nonNegativeInt.optional(),
  latencyMs: nonNegativeInt.optional(),
  dropRate: rate.optional(),
  malformedRate: rate.optional(),
  routes: z.array(z.string().min(1)).nullable().optional(),
  errorRetryAfterS: nonNegativeInt.optional(),
  remaining: nonNegativeInt.optional(),
}) satisfies z.ZodType<FaultsPatch>;

/** A runtime change: everything but port/host, which are fixed once the server listens. */
export type OptionsPatch = Partial<Omit<SimulatorOptions, 'port' | 'host' | 'faults'>> & { faults?: FaultsPatch };

export const optionsPatchSchema = z.strictObject({
  apiKey: z.string().min(1).optional(),
  stepMs: nonNegativeInt.optional(),
  bootMs: nonNegativeInt.optional(),
  defaultSteps: nonNegativeInt.optional(),
  changesPageCap: z.number().int().min(1).optional(),
  eventsPageMax: z.number().int().min(1).optional(),
  maxWaitForSeconds: nonNegativeInt.optional(),
  concurrencyLimit: z.number().int().min(1).optional(),
  queuedCountsAgainstQuota: z.boolean().optional(),
  messageToTerminal: z.enum(['restart', 'reject']).optional(),
  idleTimeoutStatus: z.enum(['completed', 'timed_out']).optional(),
  maxStepsStatus: z.enum(['completed', 'timed_out']).optional(),
  maxTimeAnswer: z.boolean().optional(),
  controlOnInactive: z.enum(['noop', 'reject']).optional(),
  answerAsJsonString: z.boolean().optional(),
  maxBodyBytes: z.number().int().min(1).optional(),
  faults: faultsPatchSchema.optional(),
}) satisfies z.ZodType<OptionsPatch>;

/** Drops keys whose value is undefined, so a spread never overwrites a default with undefined. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `bootMs` follows `stepMs` unless given. */
export function resolveOptions(partial: Partial<SimulatorOptions> = {}): SimulatorOptions {
  const given = definedOnly(partial);
  const stepMs = given.stepMs ?? DEFAULT_SIMULATOR_OPTIONS.stepMs;
  return {
    ...DEFAULT_SIMULATOR_OPTIONS,
    ...given,
    stepMs,
    bootMs: given.bootMs ?? stepMs,
    faults: { ...DEFAULT_FAULTS, ...definedOnly(given.faults ?? {}) },
  };
}
