// A schedule's task list from a file: plain text with one task per line (blank lines and `#` comments skipped),
// or JSONL whose lines are a task string or an object with a `task`.
import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../client';

export function readTasksFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidInputError(
      `--tasks: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const jsonl = /\.(jsonl|ndjson)$/i.test(path);
  const tasks: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || (!jsonl && line.startsWith('#'))) return;
    if (!jsonl) return void tasks.push(line);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new InvalidInputError(`--tasks: ${path} line ${i + 1}: not valid JSON (${(err as Error).message})`);
    }
    const task = typeof value === 'string' ? value : (value as { task?: unknown } | null)?.task;
    if (typeof task !== 'string' || !task.trim())
      throw new InvalidInputError(`--tasks: ${path} line ${i + 1}: expected a task string or an object with "task"`);
    tasks.push(task);
  });
  if (!tasks.length) throw new InvalidInputError(`--tasks: ${path} holds no task`);
  return tasks;
}
