// The Temporal Web UI as a person sees it, in a real headless Chromium (Debian's `chromium`, installed by .ci/run)
// against the test run's dev server UI: sessions are told apart in the workflow list, and a session's page shows
// its task, agent, status and steps, and what its activities do. Screenshots: test-results/webui/.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/temporal/cli-binary';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(PROJECT_ROOT, 'test-results', 'webui');

let h: Harness;
let browser: Browser;
let page: Page;
const ui = () => inject('temporalUiUrl');

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH`,
    );
  }
  mkdirSync(SHOTS, { recursive: true });
  h = await startHarness();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

/** The page's text, with that of its frames (the UI renders markdown, e.g. user metadata, in sandboxed iframes). */
async function visibleText(): Promise<string> {
  const texts = await Promise.all(
    page.frames().map((frame) => frame.innerText('body', { timeout: 2_000 }).catch(() => '')),
  );
  return texts.join('\n');
}

/** Waits until the page's visible text satisfies `check` (the UI loads and refreshes on its own); on failure keeps a screenshot. */
async function textWhere(what: string, check: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
  try {
    return await eventually(
      what,
      async () => {
        const text = await visibleText();
        return check(text) ? text : undefined;
      },
      timeoutMs,
    );
  } catch (err) {
    await page.screenshot({ path: join(SHOTS, `failed-${what.replace(/\W+/g, '-')}.png`), fullPage: true });
    throw err;
  }
}

describe('the Web UI as an agent dashboard', () => {
  it('tells sessions apart in the workflow list and shows a session at a glance on its page', async () => {
    const done = await h.sessions.start({
      task: sim({ steps: 2, answer: 'three stories' }, 'Find the top 3 stories on Hacker News'),
    });
    expect((await done.result()).status).toBe('completed');
    const gated = await h.sessions.start({
      task: sim({ steps: 1, answer: 'draft' }, 'Draft a reply to the customer'),
      approval: { timeout: '1h' },
    });
    await eventually(
      'the approval gate',
      async () => (await h.sessions.progress(gated.workflowId)).awaiting?.kind === 'approval',
    );

    // The list, filtered to this test's task queue: each row's id says what the session is about.
    const query = encodeURIComponent(`TaskQueue="${h.taskQueue}"`);
    await page.goto(`${ui()}/namespaces/default/workflows?query=${query}`);
    const list = await textWhere(
      'both sessions in the list',
      (t) => t.includes(done.workflowId) && t.includes(gated.workflowId),
    );
    await page.screenshot({ path: join(SHOTS, 'workflow-list.png') });
    expect(done.workflowId).toMatch(/^hai-session-find-the-top-3-stories-on-hacker-news-[0-9a-f]{16}$/);
    expect(gated.workflowId).toMatch(/^hai-session-draft-a-reply-to-the-customer-[0-9a-f]{16}$/);
    expect(list).toMatch(/RUNNING/);
    expect(list).toMatch(/COMPLETED/);
    expect(list).toContain('agentSession');

    // The session's page: summary, details and current details together on the User Metadata tab.
    const { runId } = await gated.describe();
    await page.goto(`${ui()}/namespaces/default/workflows/${gated.workflowId}/${runId}/history`);
    await textWhere('the session page', (t) => t.includes('User Metadata'));
    await page.getByText('User Metadata', { exact: true }).first().click();
    const meta = await textWhere(
      'summary and current details',
      (t) => /current details/i.test(t) && /\b(completed|idle)\b.*\b1 steps?\b/.test(t),
    );
    await page.screenshot({ path: join(SHOTS, 'session-page.png'), fullPage: true });
    expect(meta).toContain('agent session · h/web-surfer-flash · Draft a reply to the customer');
    expect(meta).toMatch(/Agent:\s*h\/web-surfer-flash/);
    expect(meta).toMatch(/Approval:\s*required, timeout 1h, on timeout reject/);
    expect(meta).toMatch(/\b(completed|idle)\b.*\b1 steps?\b/);

    // Its history: every activity says what it did.
    await page.goto(`${ui()}/namespaces/default/workflows/${gated.workflowId}/${runId}/history`);
    const history = await textWhere('activity summaries in the history', (t) =>
      t.includes('create the platform session (the default agent)'),
    );
    await page.screenshot({ path: join(SHOTS, 'session-history.png'), fullPage: true });
    const { sessionId } = await h.sessions.progress(gated.workflowId);
    expect(history).toContain(`follow session ${sessionId} from event 0`);
    expect(history).toContain('notify a person: approval');

    await h.sessions.approve(gated.workflowId, { by: 'webui-test' });
    expect((await gated.result()).status).toBe('completed');
  });
});
