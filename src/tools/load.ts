// Loads tools for `hai-temporal worker --tools <module>`: a module whose default export (or `tools`) is a list of tools.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Tool } from './registry';

export async function loadToolsModule(path: string): Promise<Tool[]> {
  let mod: { default?: unknown; tools?: unknown };
  try {
    mod = await import(pathToFileURL(resolve(path)).href);
  } catch (err) {
    throw new Error(`--tools ${path}: cannot load the module: ${(err as Error).message}`, { cause: err });
  }
  const tools = mod.tools ?? mod.default;
  const valid =
    Array.isArray(tools) && tools.every((t) => t && typeof t.name === 'string' && typeof t.run === 'function');
  if (!valid)
    throw new Error(
      `--tools ${path}: the module must export a list of tools (made with defineTool) as default or "tools"`,
    );
  return tools as Tool[];
}
