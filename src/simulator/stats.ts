// Counters tests read to prove what the server did (e.g. that a retried create made one session).
export interface SimulatorStats {
  /** Sessions actually created per Idempotency-Key (replays do not count). */
  createsByIdempotencyKey: Record<string, number>;
  /** Requests per API route name, e.g. "GET /sessions/{id}/changes". */
  requestsByRoute: Record<string, number>;
  sessionsCreated: number;
  faultsInjected: number;
  /** The `from_index` of each `/changes` request per session, in arrival order (the latest 1,000). */
  changesFromIndex: Record<string, number[]>;
}

export class StatsRecorder {
  private readonly creates = new Map<string, number>();
  private readonly requests = new Map<string, number>();
  private created = 0;
  private faults = 0;
  private readonly fromIndexes = new Map<string, number[]>();

  request(route: string): void {
    this.requests.set(route, (this.requests.get(route) ?? 0) + 1);
  }

  sessionCreated(idempotencyKey: string | undefined): void {
    this.created += 1;
    if (idempotencyKey !== undefined) this.creates.set(idempotencyKey, (this.creates.get(idempotencyKey) ?? 0) + 1);
  }

  changesRequested(sessionId: string, fromIndex: number): void {
    const seen = this.fromIndexes.get(sessionId) ?? [];
    seen.push(fromIndex);
    if (seen.length > 1_000) seen.shift();
    this.fromIndexes.set(sessionId, seen);
  }

  faultInjected(): void {
    this.faults += 1;
  }

  snapshot(): SimulatorStats {
    return {
      createsByIdempotencyKey: Object.fromEntries(this.creates),
      requestsByRoute: Object.fromEntries(this.requests),
      sessionsCreated: this.created,
      faultsInjected: this.faults,
      changesFromIndex: Object.fromEntries([...this.fromIndexes].map(([id, seen]) => [id, [...seen]])),
    };
  }
}
