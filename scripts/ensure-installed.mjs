// `npm start` and `npm test` on a fresh clone: install from the lockfile first when node_modules is
// missing or older than the lockfile. Plain Node, no dependencies: it runs before any are installed.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  // `npm install`, not `npm ci`: registries that serve only some platforms' optional packages (e.g. @swc/core's)
  // leave lockfiles that `npm ci` refuses as out of sync; `npm install` still follows the lockfile.
  console.log('Installing dependencies (npm install) ...');
  execSync('npm install --no-audit --no-fund', { stdio: 'inherit' });
}
