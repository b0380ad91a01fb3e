// The stub agent catalog: the reserved h/ agents the docs name (§2.13).
import type { JsonObject } from './model';

const browser = { id: 'h/browser', kind: 'web', width: 1280, height: 720, start_url: 'https://www.bing.com' };

export const CATALOG: readonly JsonObject[] = [
  {
    name: 'h/web-surfer-flash',
    description:
      'General-purpose web browsing agent. Navigates websites, extracts information, fills forms, and completes multi-step web tasks.',
    environments: [browser],
    model: 'holo3-1-35b-a3b',
    instructions: null,
    skills: ['web-browse', 'screenshot', 'form-fill', 'extract-data'],
    subagents: null,
    answer_format: null,
  },
  {
    name: 'h/web-surfer-pro',
    description: 'Web browsing agent on the larger model, for long or demanding web tasks.',
    environments: [browser],
    model: 'holo3-122b-a10b',
    instructions: null,
    skills: ['web-browse', 'screenshot', 'form-fill', 'extract-data'],
    subagents: null,
    answer_format: null,
  },
];

export const DEFAULT_MODEL = 'holo3-122b-a10b';

export function findAgent(name: string): JsonObject | undefined {
  return CATALOG.find((a) => a.name === name);
}

export function agentNotFound(name: string): string {
  return `Agent '${name}' not found.`;
}
