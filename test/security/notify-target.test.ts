// A session's notifyUrl may not make the worker POST to its own machine or network: refused after DNS resolution,
// non-retryably and with the reason in the session's transitions, unless the worker allows private addresses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveUpdate, type SessionProgress } from '../../src/shared/session';
import { blockedReason, checkNotifyTarget } from '../../src/security/notify-target';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';
import { startWebhookReceiver } from '../helpers/webhook-receiver';

const SECRET = 'whsec-test';

describe('blockedReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['169.254.169.254', 'link-local / cloud metadata'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'private (unique local) / cloud metadata'],
    ['100.100.100.200', 'shared (CGNAT) / cloud metadata'],
    ['10.1.2.3', 'private'],
    ['172.20.0.5', 'private'],
    ['192.168.1.1', 'private'],
    ['0.0.0.0', 'unspecified'],
  ])('refuses %s as %s', (address, why) => expect(blockedReason(address)).toBe(why));

  it.each(['8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('lets %s through', (address) =>
    expect(blockedReason(address)).toBeUndefined(),
  );

  it('judges a name by what it resolves to', async () => {
    await expect(checkNotifyTarget('http://localhost:9/hooks')).rejects.toThrow(
      /notifyUrl host localhost resolves to (127\.0\.0\.1|::1), which is a loopback address.*HAI_TEMPORAL_NOTIFY_ALLOW_PRIVATE=1/,
    );
  });
});

describe("a session's notifyUrl", () => {
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let guarded: Harness;
  let open: Harness;
  beforeAll(async () => {
    receiver = await startWebhookReceiver(SECRET);
    [guarded, open] = await Promise.all([
      startHarness({ notify: { secret: SECRET } }),
      startHarness({ notify: { secret: SECRET, allowPrivate: true } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([guarded?.stop(), open?.stop()]);
    await receiver?.close();
  });

  const awaitingApproval = (h: Harness, id: string) =>
    eventually('the approval gate', async () => {
      const p: SessionProgress = await h.sessions.progress(id);
      return p.awaiting?.kind === 'approval' ? p : undefined;
    });

  it('is refused when its name resolves to loopback, and the session still completes', async () => {
    const url = receiver.url.replace('127.0.0.1', 'localhost');
    const handle = await guarded.sessions.start({
      task: sim({ steps: 1, answer: 'draft' }),
      approval: {},
      notifyUrl: url,
    });
    await awaitingApproval(guarded, handle.workflowId);
    const note = await eventually('the refusal noted', async () =>
      (await guarded.sessions.progress(handle.workflowId)).transitions.find((t) =>
        t.detail?.startsWith('notification failed'),
      ),
    );
    expect(note.detail).toMatch(/resolves to (127\.0\.0\.1|::1), which is a loopback address/);
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'alice' }] });
    expect((await handle.result()).answer).toBe('draft');
    expect(receiver.for(handle.workflowId)).toHaveLength(0);
  });

  it('reaches a loopback receiver when the worker sets allowPrivate', async () => {
    const handle = await open.sessions.start({
      task: sim({ steps: 1, answer: 'draft' }),
      approval: {},
      notifyUrl: receiver.url,
    });
    await awaitingApproval(open, handle.workflowId);
    await eventually('the notice', () => receiver.for(handle.workflowId).length === 1);
    expect(receiver.for(handle.workflowId)[0]?.verified).toBe(true);
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'alice' }] });
    expect((await handle.result()).answer).toBe('draft');
  });
});
