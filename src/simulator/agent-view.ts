// The simulator's stand-in for the platform's Agent View: `GET /agent-view/{id}`, a page with the session's status,
// task, answer and latest events that refreshes itself while the session runs. Sessions on the simulator link here
// (`agent_view_url`), never to the real platform. No key needed: a session id is an unguessable UUID.
import type { ServerResponse } from 'node:http';
import type { App } from './app';
import { isTerminal } from './model';
import type { SimSession } from './session';

export const AGENT_VIEW_PREFIX = '/agent-view/';
const RECENT_EVENTS = 30;

export function serveAgentView(app: App, res: ServerResponse, id: string): void {
  const session = app.store.find(decodeURIComponent(id))?.session;
  const html = session ? page(session) : notFound(id);
  res.writeHead(session ? 200 : 404, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(html)),
  });
  res.end(html);
}

function page(s: SimSession): string {
  const refresh = isTerminal(s.status) ? '' : '<meta http-equiv="refresh" content="2">';
  const answer =
    s.latestAnswer === null
      ? ''
      : typeof s.latestAnswer === 'string'
        ? s.latestAnswer
        : JSON.stringify(s.latestAnswer, null, 2);
  const rows: Array<[string, string]> = [
    ['Status', s.status],
    ['Agent', s.setup.agentName ?? '(inline)'],
    ['Task', s.setup.messages[0]?.message ?? ''],
    ['Steps', String(s.steps)],
    ['Created', s.createdAt],
    ['Finished', s.finishedAt ?? ''],
    ['Error', s.error ?? ''],
  ];
  const events = s.events
    .slice(-RECENT_EVENTS)
    .map(
      (e) =>
        `<li><code>${esc(e.timestamp)}</code> ${esc(e.type)} ${esc(String(e.data.kind ?? e.data.state ?? e.data.status ?? ''))}</li>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8">${refresh}<title>Session ${esc(s.id)} (simulator)</title></head>
<body><h1>Agent session <code>${esc(s.id)}</code></h1><p>On the local H Agents API simulator.</p>
<table>${rows.map(([k, v]) => `<tr><th align="left">${k}</th><td>${esc(v)}</td></tr>`).join('')}</table>
<h2>Answer</h2><pre>${esc(answer)}</pre>
<h2>Latest events (${s.events.length} in all)</h2><ol start="${Math.max(0, s.events.length - RECENT_EVENTS)}">${events}</ol>
</body></html>`;
}

function notFound(id: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>No such session</title></head><body><p>No session <code>${esc(id)}</code> on this simulator.</p></body></html>`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
