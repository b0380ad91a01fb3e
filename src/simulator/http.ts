// Replies as values, and reading request bodies under the size limit.
import type { IncomingMessage } from 'node:http';

export interface Reply {
  status: number;
  /** JSON-serialisable; undefined means an empty body (202/204). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Thrown anywhere in a handler to answer with `reply` (validation errors, 404s...). */
export class HttpError extends Error {
  constructor(readonly reply: Reply) {
    super(`HTTP ${reply.status}`);
  }
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body,
  headers,
});
export const empty = (status: number, headers?: Record<string, string>): Reply => ({ status, headers });
/** The FastAPI error shape `{"detail": "..."}`. */
export const detail = (status: number, message: string, headers?: Record<string, string>): Reply =>
  json(status, { detail: message }, headers);

export const notFound = (message = 'Not Found'): HttpError => new HttpError(detail(404, message));

export class BodyTooLargeError extends Error {}

/**
 * The raw body, or BodyTooLargeError past `maxBytes`. An oversized body is still drained (up to a hard cap) so
 * the client reads the 413 instead of a reset connection.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > maxBytes;
    const drainCap = Math.max(maxBytes * 4, 64 * 1024 * 1024);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (size > drainCap) req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => (tooLarge ? reject(new BodyTooLargeError()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
    // After 'end' this is a no-op; before it, the client went away (or we cut an endless body).
    req.on('close', () => reject(tooLarge ? new BodyTooLargeError() : new Error('request aborted')));
  });
}
