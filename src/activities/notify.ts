import { ApplicationFailure, Context } from '@temporalio/activity';
import { DELIVERY_HEADER, sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../notify/signature';
import type { NotifySettings } from '../config';
import type { Awaiting } from '../shared/session';
import { checkNotifyTarget, NotifyTargetRefused, publicOnlyDispatcher } from '../security/notify-target';
import { fetch as undiciFetch } from 'undici';

/** Where notices go when a session names none (`defaultUrl`), and the secret that signs them: it stays in the worker's environment, never in history. */
export type { NotifySettings };

export interface NotifyInput {
  url?: string;
  /** Stable per waiting period, so a receiver can drop a repeated delivery. */
  deliveryId: string;
  workflowId: string;
  sessionId: string | null;
  awaiting: Awaiting;
}

const TIMEOUT_MS = 10_000;

/** POSTs a signed notice that a session waits for a person. Non-2xx answers are retried by Temporal. */
export function notifyActivity(settings: NotifySettings) {
  // A session's own notifyUrl reaches public addresses only, unless the worker allows private ones; the worker's
  // HAI_TEMPORAL_NOTIFY_URL is the operator's choice and trusted (src/security/notify-target.ts).
  let publicOnly: ReturnType<typeof publicOnlyDispatcher> | undefined;
  return async function notify(input: NotifyInput): Promise<{ delivered: boolean }> {
    const url = input.url ?? settings.defaultUrl;
    if (!url) return { delivered: false };
    const guarded = input.url !== undefined && !settings.allowPrivate;
    if (guarded) {
      try {
        await checkNotifyTarget(url);
      } catch (err) {
        if (err instanceof NotifyTargetRefused) throw ApplicationFailure.nonRetryable(err.message, 'NotifyUrlRefused');
        throw err;
      }
    }
    if (!settings.secret) {
      throw ApplicationFailure.nonRetryable(
        'cannot sign notifications: set HAI_TEMPORAL_WEBHOOK_SECRET on the worker',
        'NotifyMisconfigured',
      );
    }
    const body = JSON.stringify({
      type: input.awaiting.kind === 'approval' ? 'session.awaiting_approval' : 'session.awaiting_input',
      id: input.deliveryId,
      created_at: new Date().toISOString(),
      data: { workflow_id: input.workflowId, session_id: input.sessionId, ...input.awaiting },
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const signal = AbortSignal.any([Context.current().cancellationSignal, AbortSignal.timeout(TIMEOUT_MS)]);
    const request = {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: sign(settings.secret, timestamp, body),
        [DELIVERY_HEADER]: input.deliveryId,
      },
      body,
      signal,
    };
    const response = guarded
      ? await undiciFetch(url, { ...request, dispatcher: (publicOnly ??= publicOnlyDispatcher()) })
      : await fetch(url, request);
    await response.body?.cancel();
    if (!response.ok) throw new Error(`notification to ${new URL(url).origin} answered ${response.status}`);
    return { delivered: true };
  };
}
