// `npm ci` accepts the committed lockfile only when it lists every platform's optional packages: npm drops an
// optional package it could not fetch from the lockfile it writes, and `npm ci` then refuses the lockfile as out
// of sync ("Missing: @swc/core-darwin-arm64 from lock file") on every machine.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Locked {
  optionalDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, Locked> };

/** Where Node would find `name` from the package at `from` (its own node_modules, then each parent's). */
function resolves(from: string, name: string): boolean {
  for (
    let base = from;
    ;
    base = base.includes('/node_modules/') ? base.slice(0, base.lastIndexOf('/node_modules/')) : ''
  ) {
    if (lock.packages[`${base ? `${base}/` : ''}node_modules/${name}`]) return true;
    if (base === '') return false;
  }
}

describe('package-lock.json', () => {
  it("lists every platform's optional packages, so npm ci accepts it on any machine", () => {
    const missing = Object.entries(lock.packages).flatMap(([path, pkg]) =>
      Object.keys(pkg.optionalDependencies ?? {})
        .filter((name) => !resolves(path, name))
        .map((name) => `${path || '(root)'} -> ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('locks what package.json asks for', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, Record<string, string>>;
    const root = lock.packages[''] as Record<string, Record<string, string> | undefined>;
    for (const field of ['dependencies', 'devDependencies'] as const) expect(root[field]).toEqual(manifest[field]);
  });
});
