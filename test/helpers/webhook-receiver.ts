// A real HTTP receiver for the session's signed notices, as a Slack or email bridge would run one.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyNotification } from '../../src/notify/signature';

export interface Notice {
  type: string;
  id: string;
  data: { workflow_id: string; kind: string; turn: number; round?: number; answer?: unknown };
  verified: boolean;
}

export async function startWebhookReceiver(secret: string) {
  const notices: Notice[] = [];
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
      notices.push({ ...JSON.parse(body), verified });
      res.writeHead(verified ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    notices,
    for: (workflowId: string) => notices.filter((n) => n.data.workflow_id === workflowId),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
