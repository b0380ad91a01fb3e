// The simulator's sessions on disk (the `dataFile` option): loaded at start, saved shortly after each change and
// at shutdown, so a simulator stopped mid-session (Ctrl-C on `npm start`) carries every session on where it was
// when it starts again. Writes go to a temporary file renamed over the old one: a crash never leaves half a file.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SavedSlot } from './idempotency';
import type { SavedEntry } from './store';
import type { App } from './app';

const VERSION = 1;
/** Changes come in bursts (one step is several events): one write per burst. */
const SAVE_DELAY_MS = 250;

interface SavedState {
  version: number;
  sessions: SavedEntry[];
  idempotency: SavedSlot[];
}

export class StateFile {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly path: string,
    private readonly app: App,
  ) {}

  /** Restores the saved sessions (and their timers) into the app; nothing to do when the file does not exist yet. */
  load(): void {
    if (!existsSync(this.path)) return;
    let state: SavedState;
    try {
      state = JSON.parse(readFileSync(this.path, 'utf8')) as SavedState;
    } catch (err) {
      throw new Error(
        `simulator state ${this.path} is unreadable (${(err as Error).message}); move it away to start empty`,
        { cause: err },
      );
    }
    if (state.version !== VERSION) {
      throw new Error(`simulator state ${this.path} has version ${state.version}, expected ${VERSION}; move it away`);
    }
    this.app.idempotency.restore(state.idempotency);
    this.app.store.restore(state.sessions);
  }

  changed(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      try {
        this.save();
      } catch (err) {
        console.error(`simulator: cannot save ${this.path}: ${(err as Error).message}`);
      }
    }, SAVE_DELAY_MS).unref();
  }

  save(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const state: SavedState = {
      version: VERSION,
      sessions: this.app.store.save(),
      idempotency: this.app.idempotency.save(),
    };
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(state));
    renameSync(temporary, this.path);
  }
}
