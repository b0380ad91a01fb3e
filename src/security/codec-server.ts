// The remote codec endpoint the Temporal Web UI (and `temporal --codec-endpoint`) calls to show decrypted payloads:
// POST /decode and /encode with `{payloads: [{metadata: {k: base64}, data: base64}]}`. Browsers are let in from the
// configured Web UI origin only (CORS, and any other Origin is refused outright); an optional bearer token guards it
// from everything else on the network.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** The Web UI's origin, e.g. http://localhost:8233: the only one a browser may call from. */
  webUiOrigin: string;
  /** When set, every request must send `Authorization: Bearer <token>`. */
  token?: string;
  port?: number;
  host?: string;
}

export interface RunningCodecServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const ALLOWED_HEADERS = 'Content-Type, X-Namespace, Authorization';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startCodecServer(opts: CodecServerOptions): Promise<RunningCodecServer> {
  const origin = new URL(opts.webUiOrigin).origin;
  const tokenDigest = opts.token ? digest(`Bearer ${opts.token}`) : undefined;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 422;
      send(res, status, { error: err instanceof Error ? err.message : String(err) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const from = req.headers.origin;
    if (from !== undefined && from !== origin)
      throw new HttpError(403, `origin ${from} is not allowed; this codec server serves ${origin}`);
    if (from) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    }
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    if (tokenDigest && !timingSafeEqual(digest(req.headers.authorization ?? ''), tokenDigest))
      throw new HttpError(401, 'a valid Authorization: Bearer token is required');
    if (req.method !== 'POST' || (path !== '/decode' && path !== '/encode'))
      throw new HttpError(404, 'POST /decode or /encode');
    const payloads = parseBody(await readBody(req)).map(fromJson);
    const out = path === '/decode' ? await opts.codec.decode(payloads) : await opts.codec.encode(payloads);
    send(res, 200, { payloads: out.map(toJson) });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8888, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string): JsonPayload[] {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'body must be JSON: {"payloads": [...]}');
  }
  const payloads = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(payloads) || payloads.some((p) => typeof p !== 'object' || p === null))
    throw new HttpError(400, 'body must be {"payloads": [{"metadata": {...}, "data": "<base64>"}]}');
  return payloads as JsonPayload[];
}

function fromJson({ metadata, data }: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64')])),
    data: Buffer.from(typeof data === 'string' ? data : '', 'base64'),
  };
}

function toJson({ metadata, data }: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
  };
}
