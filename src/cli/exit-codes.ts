/** Exit codes of the `hai-temporal` command, one per kind of ending a script may want to tell apart. */
export const EXIT = {
  ok: 0,
  /** The agent's session failed or timed out on the platform. */
  agentFailed: 1,
  /** Bad arguments or input. */
  usage: 2,
  /** The session was cancelled. */
  cancelled: 3,
  /** Temporal or the platform could not be reached, or refused us. */
  connection: 4,
} as const;
