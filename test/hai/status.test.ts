import { describe, expect, it } from 'vitest';
import { isSettledStatus, isTerminalStatus, SETTLED_STATUSES, TERMINAL_STATUSES } from '../../src/hai/status';

describe('session status helpers', () => {
  it('treats completed, failed, timed_out and interrupted as terminal', () => {
    for (const s of TERMINAL_STATUSES) expect(isTerminalStatus(s)).toBe(true);
    for (const s of ['queued', 'pending', 'running', 'paused', 'idle', 'awaiting_tool_results']) {
      expect(isTerminalStatus(s)).toBe(false);
    }
  });

  it('settles on terminal statuses and idle, but not on active ones', () => {
    expect([...SETTLED_STATUSES].sort()).toEqual([...TERMINAL_STATUSES, 'idle'].sort());
    expect(isSettledStatus('idle')).toBe(true);
    expect(isSettledStatus('awaiting_tool_results')).toBe(false);
  });

  it('treats unknown status strings as neither terminal nor settled', () => {
    expect(isTerminalStatus('archived')).toBe(false);
    expect(isSettledStatus('archived')).toBe(false);
  });
});
