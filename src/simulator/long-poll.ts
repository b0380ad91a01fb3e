// Waiting for a session's next event (the /changes long-poll). Each waiter ends on the next event, its timeout,
// the client going away, or the server closing; nothing polls.
import type { ServerResponse } from 'node:http';
import type { SimSession } from './session';

export class LongPollHub {
  private readonly waiters = new Set<() => void>();
  private closed = false;

  wait(session: SimSession, ms: number, res: ServerResponse): Promise<void> {
    if (this.closed || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        session.listeners.delete(done);
        this.waiters.delete(done);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      session.listeners.add(done);
      this.waiters.add(done);
      res.on('close', done);
    });
  }

  /** Ends every pending wait now (server shutdown). */
  close(): void {
    this.closed = true;
    for (const done of [...this.waiters]) done();
  }
}
