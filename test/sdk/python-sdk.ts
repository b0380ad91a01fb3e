// The official `hai-agents` Python SDK in a project-local virtual environment (`.venv-sdk/`, git-ignored), and a
// runner for the scenarios in scenarios.py. A fresh machine gets the venv created and the pinned SDK installed
// from PyPI; after that, one `importlib.metadata` check (well under a second) confirms the install and nothing else
// runs.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The SDK version the scenarios were written against; bump it deliberately, then rerun the suite. */
export const HAI_AGENTS_VERSION = '1.3.0';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
export const VENV_DIR = join(ROOT, '.venv-sdk');
const SCENARIOS = join(HERE, 'scenarios.py');
const venvPython = join(VENV_DIR, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');

/** Python >= 3.10 (the SDK's floor) to create the venv with: $SDK_PYTHON, else python3, else python. */
async function basePython(): Promise<string> {
  const candidates = [process.env.SDK_PYTHON, 'python3', 'python'].filter((c): c is string => !!c);
  for (const cmd of candidates) {
    try {
      const { stdout } = await run(cmd, ['-c', 'import sys; print(sys.version_info >= (3, 10))']);
      if (stdout.trim() === 'True') return cmd;
    } catch {
      // Not installed under this name; try the next.
    }
  }
  throw new Error(`no Python >= 3.10 found (tried ${candidates.join(', ')}); set SDK_PYTHON`);
}

/** The installed SDK version in the venv, or undefined when the venv or the package is missing or broken. */
async function installedVersion(): Promise<string | undefined> {
  if (!existsSync(venvPython)) return undefined;
  try {
    const { stdout } = await run(venvPython, ['-c', "import importlib.metadata as m; print(m.version('hai-agents'))"]);
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** Makes `.venv-sdk/` hold hai-agents==HAI_AGENTS_VERSION; returns its python. Idempotent and quick when it does. */
export async function ensureSdk(): Promise<string> {
  if ((await installedVersion()) === HAI_AGENTS_VERSION) return venvPython;
  let pythonWorks = false;
  if (existsSync(venvPython)) {
    pythonWorks = await run(venvPython, ['-c', 'pass']).then(
      () => true,
      () => false,
    );
  }
  // A venv whose interpreter no longer runs (moved, or its base Python was removed) is rebuilt from scratch.
  if (!pythonWorks) await run(await basePython(), ['-m', 'venv', '--clear', VENV_DIR]);
  await run(
    venvPython,
    [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--no-input',
      '--quiet',
      `hai-agents==${HAI_AGENTS_VERSION}`,
    ],
    { timeout: 170_000, maxBuffer: 16 * 1024 * 1024 },
  );
  const version = await installedVersion();
  if (version !== HAI_AGENTS_VERSION) {
    throw new Error(`installing hai-agents==${HAI_AGENTS_VERSION} into ${VENV_DIR} left version ${version ?? 'none'}`);
  }
  return venvPython;
}

export interface ScenarioEnv {
  python: string;
  /** The simulator's origin; the SDK appends /api/v2/... itself. */
  baseUrl: string;
  apiKey: string;
  extra?: Record<string, string>;
}

/** Runs one scenario of scenarios.py with the venv's python and returns the JSON it printed. */
// The scenarios print loosely shaped JSON; each test states what it expects of it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function runScenario(name: string, env: ScenarioEnv): Promise<any> {
  const noProxy = [process.env.NO_PROXY ?? process.env.no_proxy, '127.0.0.1', 'localhost'].filter(Boolean).join(',');
  try {
    const { stdout } = await run(env.python, [SCENARIOS, name], {
      timeout: 45_000,
      env: {
        ...process.env,
        ...env.extra,
        HAI_BASE_URL: env.baseUrl,
        HAI_API_KEY: env.apiKey,
        // httpx honours *_PROXY variables; the simulator is local and must be reached directly.
        NO_PROXY: noProxy,
        no_proxy: noProxy,
        PYTHONDONTWRITEBYTECODE: '1',
        PYTHONUNBUFFERED: '1',
      },
    });
    const line = stdout.trim().split('\n').at(-1) ?? '';
    return JSON.parse(line);
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`SDK scenario "${name}" failed: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`, { cause: err });
  }
}
