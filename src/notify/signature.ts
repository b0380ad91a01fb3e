// Signed notifications, made like the platform's own webhooks: HMAC-SHA256 over "<timestamp>.<body>".
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-hai-temporal-timestamp';
export const SIGNATURE_HEADER = 'x-hai-temporal-signature';
export const DELIVERY_HEADER = 'x-hai-temporal-delivery';

export function sign(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class NotificationVerificationError extends Error {
  override name = 'NotificationVerificationError';
}

/**
 * For receivers: checks a notification's signature and age. `headers` as Node gives them (lower-case names).
 * Throws NotificationVerificationError saying what is wrong.
 */
export function verifyNotification(opts: {
  secret: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  toleranceS?: number;
  nowS?: number;
}): void {
  const header = (name: string) => {
    const value = opts.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const timestamp = Number(header(TIMESTAMP_HEADER));
  const signature = header(SIGNATURE_HEADER);
  if (!Number.isInteger(timestamp) || !signature)
    throw new NotificationVerificationError('missing timestamp or signature header');
  const age = Math.abs((opts.nowS ?? Math.floor(Date.now() / 1000)) - timestamp);
  if (age > (opts.toleranceS ?? 300)) throw new NotificationVerificationError(`timestamp is ${age} s old`);
  const expected = Buffer.from(sign(opts.secret, timestamp, opts.body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new NotificationVerificationError('signature does not match');
  }
}
