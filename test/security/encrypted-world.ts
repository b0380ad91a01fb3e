// A test world whose worker and client encrypt payloads: the run's Temporal dev server, a simulator over HTTP, an
// in-process worker with its own data converter, and clients made with any key list.
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { SessionClient } from '../../src/client';
import { HaiClient } from '../../src/hai/client';
import { encryptionDataConverter } from '../../src/security/data-converter';
import { parseEncryptionKeys } from '../../src/security/encryption-keys';
import { startSimulator, type RunningSimulator } from '../../src/simulator';
import { createSessionWorker } from '../../src/worker';

/** `id:base64` for a fresh random 32-byte key. */
export const newKey = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

export interface EncryptedWorld {
  taskQueue: string;
  sim: RunningSimulator;
  connection: Connection;
  /** A session client that encrypts with `keys` (undefined: no keys at all). */
  client(keys: string | undefined): SessionClient;
  stop(): Promise<void>;
}

export async function startEncryptedWorld(workerKeys: string): Promise<EncryptedWorld> {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // installed by another helper of this process
  }
  const address = inject('temporalAddress');
  const sim = await startSimulator({ stepMs: 10 });
  const hai = new HaiClient({ baseUrl: sim.url, apiKey: 'hk-test', retryDeadlineMs: 30_000 });
  const taskQueue = `test-${randomUUID()}`;
  const connection = await Connection.connect({ address });
  const native = await NativeConnection.connect({ address });
  const worker: Worker = await createSessionWorker({
    connection: native,
    namespace: 'default',
    taskQueue,
    hai,
    workflowBundlePath: inject('workflowBundlePath'),
    notify: {},
    dataConverter: encryptionDataConverter(parseEncryptionKeys(workerKeys)),
  });
  const running = worker.run();
  return {
    taskQueue,
    sim,
    connection,
    client: (keys) =>
      new SessionClient(
        new Client({
          connection,
          dataConverter: encryptionDataConverter(keys === undefined ? undefined : parseEncryptionKeys(keys)),
        }),
        taskQueue,
      ),
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await native.close();
      await connection.close();
      await hai.close();
      await sim.close();
    },
  };
}
