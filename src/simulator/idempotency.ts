// `Idempotency-Key` on create (hai-api.md §7): replay on same body, 422 on a different body, 409 while the first
// request is in flight; a failed create releases the key. Scoped per API key, kept 24 h.
const TTL_MS = 24 * 60 * 60 * 1000;

type Slot = { fingerprint: string; at: number } & ({ state: 'inflight' } | { state: 'done'; sessionId: string });

/** A completed key as a state file keeps it (`dataFile`); keys in flight are not kept. */
export type SavedSlot = [id: string, slot: Slot];

export type Claim =
  { kind: 'new' } | { kind: 'inflight' } | { kind: 'conflict' } | { kind: 'replay'; sessionId: string };

export class IdempotencyRegistry {
  private readonly slots = new Map<string, Slot>();

  claim(owner: string, key: string, fingerprint: string): Claim {
    const id = slotId(owner, key);
    const slot = this.slots.get(id);
    if (slot && Date.now() - slot.at < TTL_MS) {
      if (slot.state === 'inflight') return { kind: 'inflight' };
      if (slot.fingerprint !== fingerprint) return { kind: 'conflict' };
      return { kind: 'replay', sessionId: slot.sessionId };
    }
    this.slots.set(id, { fingerprint, at: Date.now(), state: 'inflight' });
    return { kind: 'new' };
  }

  complete(owner: string, key: string, sessionId: string): void {
    const slot = this.slots.get(slotId(owner, key));
    if (slot)
      this.slots.set(slotId(owner, key), { fingerprint: slot.fingerprint, at: Date.now(), state: 'done', sessionId });
  }

  release(owner: string, key: string): void {
    this.slots.delete(slotId(owner, key));
  }

  save(): SavedSlot[] {
    return [...this.slots].filter(([, slot]) => slot.state === 'done');
  }

  restore(saved: SavedSlot[]): void {
    for (const [id, slot] of saved) this.slots.set(id, slot);
  }
}

function slotId(owner: string, key: string): string {
  return `${owner}\u0000${key}`;
}

/** Key-order-independent JSON, so two equal bodies match however their keys were ordered. */
export function fingerprint(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
