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
