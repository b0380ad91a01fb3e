// The published build: one ESM bundle (+ .d.ts) per public entry in dist/, node_modules left external. Every file
// an entry imports is built, so new modules need no change here. The public entries and the CLI sit at dist/'s top
// level next to their shared chunks, as src/worker.ts sits in src/, so its paths relative to itself hold in both.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'tsup';

const PUBLIC_ENTRIES = {
  index: 'src/index.ts',
  worker: 'src/entries/worker.ts',
  workflows: 'src/entries/workflows.ts',
  simulator: 'src/entries/simulator.ts',
};

const require = createRequire(import.meta.url);
/** `ajv/dist/2020`, `@temporalio/common/lib/time`, a folder: a path into a package... */
const DEEP_IMPORT = /^((?:@[^/]+\/)?[^@./][^/]*)\/(.+)$/;

/**
 * ...which Node's ESM loader resolves only with its extension when the package has no `exports` map (tsx and
 * bundlers add it themselves). The built files import `ajv/dist/2020.js` (or `.../index.js`), so the sources need not care.
 */
function withExtension(specifier: string): string | undefined {
  const match = DEEP_IMPORT.exec(specifier);
  if (!match || /\.(c|m)?js$|\.json$/.test(specifier)) return undefined;
  const [, name, subpath] = match as unknown as [string, string, string];
  let manifest: string;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch {
    return undefined;
  }
  if ((JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown }).exports) return undefined;
  const root = dirname(manifest);
  if (existsSync(join(root, `${subpath}.js`))) return `${specifier}.js`;
  return existsSync(join(root, subpath, 'index.js')) ? `${specifier}/index.js` : undefined;
}

/**
 * Modules the workflow bundler reads by path at worker start (`bundlerModule('./workflows/index')` in src/worker.ts:
 * the workflows' entry, interceptor modules): each is built at the same path in dist/, which is where
 * `bundlerModule` looks for it.
 */
function workflowBundlerEntries(): Record<string, string> {
  const worker = readFileSync('src/worker.ts', 'utf8');
  const paths = [...worker.matchAll(/bundlerModule\('\.\/([^']+)'\)/g)].map((m) => m[1] as string);
  return Object.fromEntries(paths.map((path) => [path, `src/${path}.ts`]));
}

function builtFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? builtFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
}

export default defineConfig({
  entry: { ...PUBLIC_ENTRIES, cli: 'src/cli/main.ts', ...workflowBundlerEntries() },
  format: 'esm',
  platform: 'node',
  target: 'node20',
  splitting: true,
  sourcemap: true,
  clean: true,
  dts: { entry: PUBLIC_ENTRIES },
  skipNodeModulesBundle: true,
  tsconfig: 'tsconfig.build.json',
  // tsup marks node_modules external before any esbuild plugin sees them, so the deep imports are fixed up after.
  onSuccess: async () => {
    for (const file of builtFiles('dist')) {
      const code = readFileSync(file, 'utf8');
      const fixed = code.replace(/(\bfrom\s*|\bimport\s*\(\s*)"([^"]+)"/g, (whole, lead: string, specifier: string) => {
        const path = withExtension(specifier);
        return path ? `${lead}"${path}"` : whole;
      });
      if (fixed !== code) writeFileSync(file, fixed);
    }
  },
});
