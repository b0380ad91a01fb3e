// The innermost message of an error chain (Temporal's failures nest the activity's and the platform's words).
// Dependency-free, so workflow code and Node code share it.
export function rootCause(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
