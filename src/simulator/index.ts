// The local H Company Agents API simulator (hai-api.md): a real HTTP server with the session state machine,
// long-polling, idempotency, quota, scripted agents and fault injection.
import type { AddressInfo } from 'node:net';
import { App } from './app';
import { type FaultOptions, type SimulatorOptions, resolveOptions } from './options';
import { createSimulatorServer } from './server';
import { StateFile } from './state-file';
import type { SimulatorStats } from './stats';

export { DEFAULT_SIMULATOR_OPTIONS } from './options';
export type { FaultOptions, SimulatorOptions } from './options';
export type { SimulatorStats } from './stats';

export interface RunningSimulator {
  /** Origin, e.g. "http://127.0.0.1:43123"; the API root is url + "/api/v2". */
  url: string;
  port: number;
  stats(): SimulatorStats;
  setFaults(f: Partial<FaultOptions>): void;
  setOptions(o: Partial<Omit<SimulatorOptions, 'port' | 'host'>>): void;
  /** Ends pending long-polls at once, stops every session timer and closes the server. */
  close(): Promise<void>;
}

export async function startSimulator(opts: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  const options = resolveOptions(opts);
  const app = new App(options);
  const state = options.dataFile ? new StateFile(options.dataFile, app) : undefined;
  if (state) {
    state.load();
    app.store.onChange(() => state.changed());
  }
  const server = createSimulatorServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  app.origin = `http://${host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: app.origin,
    port,
    stats: () => app.stats.snapshot(),
    setFaults: (f) => app.setFaults(f),
    setOptions: (o) => app.setOptions(o),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        app.close();
        state?.save();
        server.close(() => resolve());
        // The long-polls just ended answer on the next turn; then nothing is left worth waiting for.
        setImmediate(() => server.closeAllConnections());
      })),
  };
}
