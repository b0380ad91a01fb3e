import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveUpdate, rejectUpdate, replyUpdate, type SessionProgress } from '../../src/shared/session';
import { eventually, type Harness, sim, startHarness, progressWhere as waitForProgress } from '../helpers/harness';
import { startWebhookReceiver } from '../helpers/webhook-receiver';

const SECRET = 'whsec-test';
let h: Harness;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRET);
  h = await startHarness({ notify: { defaultUrl: receiver.url, secret: SECRET } });
});
afterAll(async () => {
  await h?.stop();
  await receiver?.close();
});

const progressWhere = (id: string, what: string, check: (p: SessionProgress) => boolean, timeoutMs?: number) =>
  waitForProgress(h, id, what, check, timeoutMs);
const awaitingApproval = (id: string, round = 1) =>
  progressWhere(id, `approval round ${round}`, (p) => p.awaiting?.kind === 'approval' && p.awaiting.round === round);

describe('approval gates', () => {
  it('holds the answer until approved, then returns it with the decision in the audit trail', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 1, answer: 'draft' }), approval: {} });
    const waiting = await awaitingApproval(handle.workflowId);
    expect(waiting).toMatchObject({ phase: 'awaiting_approval', awaiting: { answer: 'draft', turn: 0 } });
    const pending = await eventually('listed as pending', async () => {
      for await (const s of h.sessions.list({ awaiting: 'approval' })) if (s.workflowId === handle.workflowId) return s;
    });
    expect(pending.awaiting).toBe('approval');

    const ack = await handle.executeUpdate(approveUpdate, { args: [{ by: 'alice', comment: 'good' }] });
    expect(ack).toMatchObject({ decision: 'approved', round: 1 });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', endedBy: 'approval', answer: 'draft' });
    expect(result.audit).toMatchObject([{ kind: 'approved', by: 'alice', comment: 'good', turn: 0 }]);
    // Exactly one signed notice for the one waiting period.
    const notices = receiver.for(handle.workflowId);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      type: 'session.awaiting_approval',
      verified: true,
      data: { answer: 'draft', round: 1 },
    });
  });

  it('sends rejection feedback to an interactive agent and gates its next answer again', async () => {
    const handle = await h.sessions.start({
      task: sim({ steps: 1, answer: 'v1' }),
      idleTimeoutS: 300,
      approval: { maxRounds: 3 },
    });
    await awaitingApproval(handle.workflowId, 1);
    await handle.executeUpdate(rejectUpdate, {
      args: [{ by: 'bob', reason: 'too short', feedback: sim({ steps: 1, answer: 'v2' }, 'make it longer') }],
    });
    const second = await awaitingApproval(handle.workflowId, 2);
    expect(second.awaiting?.answer).toBe('v2');
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'alice' }] });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', endedBy: 'approval', answer: 'v2' });
    expect(result.turns.map((t) => t.answer)).toEqual(['v1', 'v2']);
    expect(result.audit.map((a) => [a.kind, a.by, a.turn])).toEqual([
      ['rejected', 'bob', 0],
      ['approved', 'alice', 1],
    ]);
    expect(receiver.for(handle.workflowId).map((n) => n.data.round)).toEqual([1, 2]);
    // The approved interactive session does not keep holding a platform slot.
    await eventually(
      'platform session ended',
      async () => (await h.hai.getStatus(result.sessionId)).status === 'interrupted',
    );
  });

  it('ends as rejected when rejected without feedback', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 1, answer: 'meh' }), approval: {} });
    await awaitingApproval(handle.workflowId);
    await handle.executeUpdate(rejectUpdate, { args: [{ by: 'carol', reason: 'wrong' }] });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'rejected', endedBy: 'rejection', answer: 'meh' });
    expect(result.audit).toMatchObject([{ kind: 'rejected', by: 'carol', reason: 'wrong' }]);
  });

  it.each([
    ['approve', 'completed'],
    ['reject', 'rejected'],
    ['cancel', 'cancelled'],
  ] as const)('applies onTimeout=%s when nobody decides in time', async (onTimeout, status) => {
    const result = await h.sessions.run({
      task: sim({ steps: 1, answer: 'x' }),
      approval: { timeout: '1s', onTimeout },
    });
    expect(result).toMatchObject({ status, endedBy: 'approval_timeout' });
    expect(result.audit).toMatchObject([{ kind: 'timeout', applied: onTimeout }]);
  });

  it('refuses a second decision and a decision nobody asked for, saying why', async () => {
    const running = await h.sessions.start({ task: sim({ steps: 200, stepMs: 20, answer: 'later' }), approval: {} });
    await progressWhere(running.workflowId, 'running', (p) => p.status === 'running');
    const early = await running.executeUpdate(approveUpdate, { args: [{ by: 'alice' }] }).catch((e) => e);
    expect(early).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String(early.cause?.message)).toMatch(/nothing awaits a decision: the session is running/);
    await h.sessions.cancel(running.workflowId);

    const handle = await h.sessions.start({ task: sim({ steps: 1, answer: 'once' }), approval: {} });
    await awaitingApproval(handle.workflowId);
    const noReason = await handle.executeUpdate(rejectUpdate, { args: [{ by: 'bob', reason: '' }] }).catch((e) => e);
    expect(String(noReason.cause?.message)).toMatch(/reject needs a "reason"/);
    // Two people approve at once: one decision is taken, the other is refused (by the validator, or because
    // the workflow closed on the first before or while the second arrived).
    const outcomes = await Promise.allSettled([
      handle.executeUpdate(approveUpdate, { args: [{ by: 'alice' }] }),
      handle.executeUpdate(approveUpdate, { args: [{ by: 'bob' }] }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(String(refused.reason.cause?.message ?? refused.reason.message)).toMatch(
      /already approved by (alice|bob)|already completed|aborted by closing workflow/,
    );
    expect((await handle.result()).audit).toHaveLength(1);
  });
});

describe('questions and replies', () => {
  it('reports an agent question as awaiting input and continues on the reply', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 1, ask: 'Which city?' }), idleTimeoutS: 300 });
    const waiting = await progressWhere(handle.workflowId, 'question', (p) => p.awaiting?.kind === 'input');
    expect(waiting.awaiting?.answer).toBe('Which city?');
    await handle.executeUpdate(replyUpdate, {
      args: [{ by: 'dana', message: sim({ steps: 1, answer: 'Paris it is' }, 'Paris') }],
    });
    await progressWhere(handle.workflowId, 'answer', (p) => p.answer === 'Paris it is');
    await h.sessions.end(handle.workflowId);
    const result = await handle.result();
    expect(result.turns.map((t) => t.answer)).toEqual(['Which city?', 'Paris it is']);
    expect(result.audit).toMatchObject([{ kind: 'reply', by: 'dana', turn: 0 }]);
    expect(receiver.for(handle.workflowId).map((n) => n.type)).toEqual([
      'session.awaiting_input',
      'session.awaiting_input',
    ]);
  });

  it('ends the session cleanly when nobody replies in time', async () => {
    const result = await h.sessions.run({
      task: sim({ steps: 1, ask: 'Anyone?' }),
      idleTimeoutS: 300,
      replyTimeout: '1s',
    });
    expect(result).toMatchObject({ status: 'completed', endedBy: 'reply_timeout' });
    expect(result.audit).toMatchObject([{ kind: 'timeout', applied: 'end' }]);
    await eventually(
      'platform session ended',
      async () => (await h.hai.getStatus(result.sessionId)).status === 'interrupted',
    );
  });

  it('lets a person pause, review, and redirect a session with a message', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 500, stepMs: 20 }) });
    await progressWhere(handle.workflowId, 'running', (p) => p.status === 'running');
    await h.sessions.pause(handle.workflowId);
    const paused = await progressWhere(handle.workflowId, 'paused', (p) => p.phase === 'paused');
    expect(paused.transitions.some((t) => t.kind === 'steer' && t.detail === 'pause')).toBe(true);
    await h.sessions.send(handle.workflowId, sim({ steps: 1, answer: 'redirected' }, 'focus on X instead'));
    await progressWhere(handle.workflowId, 'resumed', (p) => p.status !== 'paused');
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', answer: 'redirected' });
  });
});
