// A real HTTP receiver for the session's signed notices, as a Slack or email bridge would run one.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyNotification } from '../../src/notify/signature';

export interface Notice {
  type: string;
  id: string;
  data: { workflow_id: string; kind: string; turn: number; round?: number; answer?: unknown };
  verified: boolean;
  /** What arrived on the wire, for checks that do not trust the project's own verifier. */
  raw: { headers: IncomingHttpHeaders; body: string };
  /** The status this receiver answered. */
  answered: number;
}

export async function startWebhookReceiver(secret: string) {
  const notices: Notice[] = [];
  /** When set, the receiver answers this status (e.g. 503) to the next `failing.count` notices. */
  const failing = { status: 503, count: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      let verified = true;
      try {
        verifyNotification({ secret, headers: req.headers, body });
      } catch {
        verified = false;
      }
      const answered = failing.count > 0 ? (failing.count--, failing.status) : verified ? 204 : 401;
      notices.push({ ...JSON.parse(body), verified, raw: { headers: req.headers, body }, answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    notices,
    failing,
    for: (workflowId: string) => notices.filter((n) => n.data.workflow_id === workflowId),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
