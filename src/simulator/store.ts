// All sessions, scoped per API key (a key is a tenant: its sessions are invisible to other keys), with the
// concurrency quota and the FIFO queue of §3.3 / §7.
import { Agent, type AgentHost, type SavedAgent } from './agent';
import { SLOT_STATUSES, type SessionStatusValue, type UserMessage } from './model';
import type { SimulatorOptions } from './options';
import { type SavedRecord, type SessionSetup, SimSession } from './session';

export interface Entry {
  session: SimSession;
  agent: Agent;
}

/** One session as a state file keeps it (`dataFile`). */
export interface SavedEntry {
  setup: SessionSetup;
  record: SavedRecord;
  agent: SavedAgent;
}

export interface QuotaView {
  scope: 'user';
  limit: number;
  active: number;
  available: number;
}

interface Tenant {
  /** Creation order, for listing. */
  entries: Entry[];
  /** Ids of sessions holding a slot. */
  slots: Set<string>;
  queue: Entry[];
}

/** Thrown when a session cannot be admitted and may not queue. */
export class ConcurrencyLimitError extends Error {
  constructor(
    readonly active: number,
    readonly limit: number,
  ) {
    super(`Concurrent trajectory limit reached (${active}/${limit})`);
  }
}

export class SessionStore implements AgentHost {
  private readonly byId = new Map<string, Entry>();
  private readonly tenants = new Map<string, Tenant>();
  private changeListener: (() => void) | undefined;

  constructor(readonly options: () => SimulatorOptions) {}

  get(owner: string, id: string): Entry | undefined {
    const entry = this.byId.get(id);
    return entry?.session.setup.owner === owner ? entry : undefined;
  }

  /** Any tenant's session, for the simulator's own Agent View page (a session id is unguessable). */
  find(id: string): Entry | undefined {
    return this.byId.get(id);
  }

  /** Unauthenticated reads see only sessions made public with /share. */
  getShared(id: string): Entry | undefined {
    const entry = this.byId.get(id);
    return entry?.session.shared ? entry : undefined;
  }

  list(owner: string): readonly Entry[] {
    return this.tenant(owner).entries;
  }

  quota(owner: string): QuotaView {
    const limit = this.options().concurrencyLimit;
    const active = this.reportedActive(this.tenant(owner));
    return { scope: 'user', limit, active, available: Math.max(0, limit - active) };
  }

  /** Admits a new session: started, queued, or ConcurrencyLimitError when `queue: false` and at the limit. */
  create(setup: SessionSetup): Entry {
    const tenant = this.tenant(setup.owner);
    this.checkAdmission(tenant, setup.queueOnLimit);
    const session = new SimSession(setup);
    const entry = this.add({ session, agent: new Agent(session, this) });
    this.admit(tenant, entry);
    return entry;
  }

  /** Told after every event and status change (the state file saves then). */
  onChange(listener: () => void): void {
    this.changeListener = listener;
  }

  save(): SavedEntry[] {
    return [...this.byId.values()].map(({ session, agent }) => ({
      setup: session.setup,
      record: session.save(),
      agent: agent.save(),
    }));
  }

  /** Brings saved sessions back in their creation order, holding their slots and queue places, then runs them on. */
  restore(saved: SavedEntry[]): void {
    const restored = saved.map(({ setup, record, agent: agentState }) => {
      const session = SimSession.restore(setup, record);
      const agent = new Agent(session, this);
      agent.restore(agentState);
      const entry = this.add({ session, agent });
      const tenant = this.tenant(setup.owner);
      if (SLOT_STATUSES.has(session.status)) tenant.slots.add(session.id);
      if (session.status === 'queued') tenant.queue.push(entry);
      return entry;
    });
    for (const entry of restored) entry.agent.resumeAfterRestore();
    this.promoteAll();
  }

  /** A message to a terminal session re-provisions it, subject to quota like a create. */
  restart(entry: Entry, messages: UserMessage[]): void {
    const tenant = this.tenant(entry.session.setup.owner);
    this.checkAdmission(tenant, entry.session.setup.queueOnLimit);
    entry.agent.prepareRestart(messages);
    this.admit(tenant, entry);
  }

  statusChanged(session: SimSession, from: SessionStatusValue): void {
    this.changeListener?.();
    const tenant = this.tenant(session.setup.owner);
    if (SLOT_STATUSES.has(session.status)) tenant.slots.add(session.id);
    else tenant.slots.delete(session.id);
    if (from === 'queued' && session.status !== 'queued')
      tenant.queue = tenant.queue.filter((e) => e.session !== session);
    if (SLOT_STATUSES.has(from) && !SLOT_STATUSES.has(session.status)) this.promote(tenant);
  }

  /** Starts queued sessions, oldest first, while slots are free (also after the limit is raised). */
  promoteAll(): void {
    for (const tenant of this.tenants.values()) this.promote(tenant);
  }

  dispose(): void {
    for (const entry of this.byId.values()) entry.agent.dispose();
  }

  private promote(tenant: Tenant): void {
    const limit = this.options().concurrencyLimit;
    while (tenant.slots.size < limit) {
      const next = tenant.queue[0];
      if (!next) return;
      next.agent.start();
    }
  }

  private checkAdmission(tenant: Tenant, queueOnLimit: boolean): void {
    if (!this.hasFreeSlot(tenant) && !queueOnLimit) {
      throw new ConcurrencyLimitError(this.reportedActive(tenant), this.options().concurrencyLimit);
    }
  }

  private admit(tenant: Tenant, entry: Entry): void {
    if (this.hasFreeSlot(tenant)) {
      entry.agent.start();
    } else {
      tenant.queue.push(entry);
      entry.agent.enqueue();
    }
  }

  /** Queued sessions go first, so a new session never overtakes them. */
  private hasFreeSlot(tenant: Tenant): boolean {
    return tenant.queue.length === 0 && tenant.slots.size < this.options().concurrencyLimit;
  }

  private reportedActive(tenant: Tenant): number {
    return tenant.slots.size + (this.options().queuedCountsAgainstQuota ? tenant.queue.length : 0);
  }

  private add(entry: Entry): Entry {
    this.byId.set(entry.session.id, entry);
    this.tenant(entry.session.setup.owner).entries.push(entry);
    entry.session.listeners.add(() => this.changeListener?.());
    return entry;
  }

  private tenant(owner: string): Tenant {
    let tenant = this.tenants.get(owner);
    if (!tenant) {
      tenant = { entries: [], slots: new Set(), queue: [] };
      this.tenants.set(owner, tenant);
    }
    return tenant;
  }
}
