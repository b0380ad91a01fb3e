// Size limits. Temporal refuses payloads over 2 MiB by default (and gRPC messages over 4 MiB), far below
// the platform's 10 MB body limit, so what travels through a workflow must stay under Temporal's.
export const MAX_MESSAGE_BYTES = 1_000_000;

const utf8Length = (text: string) => new TextEncoder().encode(text).length;

/** Why a steering message cannot be sent, or null when it can. */
export function messageProblem(message: unknown): string | null {
  if (typeof message !== 'string') return 'send needs {"message": "<text>"}';
  if (message.trim().length === 0) return 'the message must not be empty';
  const bytes = utf8Length(message);
  if (bytes > MAX_MESSAGE_BYTES) return `the message is ${bytes} bytes, over the ${MAX_MESSAGE_BYTES}-byte limit`;
  return null;
}

export function inputTooLarge(input: unknown): string | null {
  const bytes = utf8Length(JSON.stringify(input));
  return bytes > MAX_MESSAGE_BYTES
    ? `the session input is ${bytes} bytes, over the ${MAX_MESSAGE_BYTES}-byte limit`
    : null;
}

export const MAX_NESTING = 64;

/** Where a value nests objects or arrays deeper than MAX_NESTING levels, checked without recursion. */
export function nestingProblem(value: unknown): string | null {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value: v, depth, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_NESTING) return `${path || '(input)'}: nested deeper than ${MAX_NESTING} levels`;
    for (const [k, child] of Object.entries(v)) {
      // Name the top-level field only: the full path of a 5,000-level value is itself absurd.
      stack.push({ value: child, depth: depth + 1, path: path || k });
    }
  }
  return null;
}
