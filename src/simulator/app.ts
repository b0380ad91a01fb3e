// The simulator's shared state: live options, sessions, idempotency keys, long-poll waiters and counters.
import { type FaultPlan, NO_FAULTS, planFaults } from './faults';
import { IdempotencyRegistry } from './idempotency';
import { LongPollHub } from './long-poll';
import {
  DEFAULT_FAULTS,
  type FaultOptions,
  type FaultsPatch,
  type OptionsPatch,
  type SimulatorOptions,
  definedOnly,
} from './options';
import { StatsRecorder } from './stats';
import { SessionStore } from './store';

export class App {
  readonly store = new SessionStore(() => this.options);
  readonly idempotency = new IdempotencyRegistry();
  readonly polls = new LongPollHub();
  readonly stats = new StatsRecorder();
  /** Where the server listens, e.g. "http://127.0.0.1:8000": sessions link to its own Agent View page. */
  origin = 'http://127.0.0.1';

  constructor(public options: SimulatorOptions) {}

  setOptions(patch: OptionsPatch): void {
    const { faults, ...rest } = patch;
    this.options = { ...this.options, ...definedOnly(rest) };
    if (faults) this.setFaults(faults);
    // A raised limit starts queued sessions now rather than at the next slot release.
    this.store.promoteAll();
  }

  setFaults(patch: FaultsPatch): void {
    const { routes, ...rest } = patch;
    const faults: FaultOptions = { ...this.options.faults, ...definedOnly(rest) };
    if ('routes' in patch) faults.routes = routes ?? undefined;
    this.options = { ...this.options, faults };
  }

  /** The faults a request to `route` gets, counting down `remaining` when it is set. */
  takeFaults(route: string): FaultPlan {
    const faults = this.options.faults;
    const plan = planFaults(faults, route);
    if (faults.remaining === undefined || (plan.rejectStatus === undefined && !plan.drop)) return plan;
    if (faults.remaining <= 0) return { ...NO_FAULTS, latencyMs: plan.latencyMs };
    this.options = { ...this.options, faults: { ...faults, remaining: faults.remaining - 1 } };
    return plan;
  }

  resetFaults(): void {
    this.options = { ...this.options, faults: DEFAULT_FAULTS };
  }

  close(): void {
    this.polls.close();
    this.store.dispose();
  }
}
