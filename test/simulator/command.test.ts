import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from './helpers';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `simulator <args>` in a child process, the way the CLI mounts it. */
function runCommand(args: string[]): { child: ChildProcessWithoutNullStreams; out: () => string; err: () => string } {
  const script = `import('./src/simulator/command.ts').then((m) => m.simulatorCommand().parseAsync(['node', 'simulator', ...${JSON.stringify(args)}]))`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { child, out: () => out, err: () => err };
}

describe('simulator command', () => {
  it('prints one "listening on" line, serves the API and admin routes, and exits cleanly on SIGTERM', async () => {
    const run = runCommand(['--port', '0', '--step-ms', '5', '--concurrency', '3', '--message-to-terminal', 'reject']);
    try {
      await waitFor(
        () => run.out().includes('\n'),
        15_000,
        () => run.err(),
      );
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(run.out());
      expect(match, run.out()).not.toBeNull();
      const url = match?.[1] ?? '';
      const quota = await fetch(`${url}/api/v2/sessions/quota`, { headers: { authorization: 'Bearer hk-cli' } });
      expect(await quota.json()).toMatchObject({ limit: 3 });
      const options = await fetch(`${url}/_simulator/options`, { method: 'PUT', body: '{}' });
      expect(await options.json()).toMatchObject({ stepMs: 5, messageToTerminal: 'reject' });
      const stats = await fetch(`${url}/_simulator/stats`);
      expect(((await stats.json()) as { requestsByRoute: Record<string, number> }).requestsByRoute).toEqual({
        'GET /sessions/quota': 1,
      });
    } finally {
      run.child.kill('SIGTERM');
    }
    const [code] = await once(run.child, 'exit');
    expect(code).toBe(0);
  });

  it('rejects invalid flag values with an error naming the flag', async () => {
    const cases: [string[], string][] = [
      [['--step-ms', 'abc'], '--step-ms'],
      [['--fault-error-rate', '2'], '--fault-error-rate'],
      [['--message-to-terminal', 'maybe'], '--message-to-terminal'],
      [['--max-time-answer', 'yes'], '--max-time-answer'],
    ];
    await Promise.all(
      cases.map(async ([args, flag]) => {
        const run = runCommand(args);
        const [code] = await once(run.child, 'exit');
        expect(code).not.toBe(0);
        expect(run.err()).toContain(flag);
        expect(run.out()).toBe('');
      }),
    );
  });
});
