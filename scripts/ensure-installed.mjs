// `npm start` and `npm test` on a fresh clone (prestart/pretest): install from the lockfile when node_modules is
// missing or older than the lockfile, then make sure a Temporal CLI is there (the dev server and Web UI). The
// package has no install hooks: this set-up belongs to the clone's commands, not to users installing the package.
// Plain Node, no dependencies: it runs before any are installed.
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.log('Installing dependencies (npm ci) ...');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}
execFileSync(process.execPath, ['--import', 'tsx', 'scripts/ensure-temporal-cli.ts'], { stdio: 'inherit' });
