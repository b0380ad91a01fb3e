// A tiny real HTTP server for wire situations the simulator does not produce on demand (exact headers, resets,
// malformed bodies). Each test scripts the answers; the server records what arrived.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  /** Path and query, e.g. `/api/v2/sessions?status=running`. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export type Handler = (req: Received, res: ServerResponse, index: number) => void;

export interface WireServer {
  url: string;
  port: number;
  requests: Received[];
  close(): Promise<void>;
}

export async function startWireServer(handler: Handler, port = 0): Promise<WireServer> {
  const requests: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(received);
      handler(received, res, requests.length - 1);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Kills the connection without answering, as a crashed proxy or an overloaded server does. */
export function resetConnection(res: ServerResponse): void {
  res.socket?.destroy();
}

export const SESSION = {
  id: '00000000-0000-4000-8000-000000000001',
  request: { agent: 'h/web-surfer-flash' },
  status: { status: 'pending', error: null, steps: 0, usage_per_model: [], subagent_session_ids: [] },
  created_at: '2026-05-07T14:30:00Z',
};
