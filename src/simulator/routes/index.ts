// The /api/v2 route table and its matcher. Literal segments win over parameters (`/sessions/quota` before
// `/sessions/{id}`), as in FastAPI's declaration order for these routes.
import { checkUuid, parseIntParam, type ValidationIssue } from '../validation';
import { agentRoutes } from './agents';
import { changesRoutes } from './changes';
import type { Route } from './context';
import { eventRoutes } from './events';
import { feedbackRoutes } from './feedback';
import { sessionRoutes } from './sessions';
import { steeringRoutes } from './steering';

interface Compiled {
  route: Route;
  segments: string[];
  params: number;
}

const compiled: Compiled[] = [
  ...sessionRoutes,
  ...steeringRoutes,
  ...changesRoutes,
  ...eventRoutes,
  ...feedbackRoutes,
  ...agentRoutes,
]
  .map((route) => {
    const segments = route.path.split('/').filter(Boolean);
    return { route, segments, params: segments.filter((s) => s.startsWith('{')).length };
  })
  .sort((a, b) => a.params - b.params);

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method_not_allowed' }
  | { kind: 'not_found' };

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? '';
    if (p.endsWith('*}')) {
      if (i >= parts.length) return undefined;
      params[p.slice(1, -2)] = parts.slice(i).join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (p.startsWith('{')) params[p.slice(1, -1)] = part;
    else if (p !== part) return undefined;
  }
  return pattern.length === parts.length ? params : undefined;
}

/** `path` is relative to /api/v2. */
export function matchRoute(method: string, path: string): RouteMatch {
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { kind: 'not_found' };
  }
  let pathKnown = false;
  for (const c of compiled) {
    const params = matchSegments(c.segments, parts);
    if (!params) continue;
    if (c.route.method === method) return { kind: 'found', route: c.route, params };
    pathKnown = true;
  }
  return pathKnown ? { kind: 'method_not_allowed' } : { kind: 'not_found' };
}

/** Path parameters the spec types (uuid ids, integer event indexes); ids come back in canonical form. */
export function checkPathParams(params: Record<string, string>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (params.id !== undefined) {
    const issue = checkUuid('id', params.id);
    if (issue) issues.push(issue);
    else params.id = canonicalUuid(params.id);
  }
  if (params.event_index !== undefined) {
    const value = parseIntParam(params.event_index);
    if (value === undefined) {
      const msg = 'Input should be a valid integer, unable to parse string as an integer';
      issues.push({ type: 'int_parsing', loc: ['path', 'event_index'], msg, input: params.event_index });
    }
  }
  return issues;
}

function canonicalUuid(value: string): string {
  const hex = value.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
