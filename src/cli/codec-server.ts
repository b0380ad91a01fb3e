// `hai-temporal codec-server`: the Web UI's remote codec endpoint, decrypting payloads with HAI_TEMPORAL_ENCRYPTION_KEYS.
import { Command, InvalidArgumentError } from 'commander';
import { SettingsError } from '../config';
import { startCodecServer } from '../security/codec-server';
import { EncryptionCodec } from '../security/encryption-codec';
import { ENCRYPTION_KEYS_VARIABLE, loadEncryptionKeys } from '../security/encryption-keys';

const port = (raw: string): number => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n > 65535) throw new InvalidArgumentError(`expected a port (0-65535), got "${raw}"`);
  return n;
};

const origin = (raw: string): string => {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    return url.origin;
  } catch {
    throw new InvalidArgumentError(`expected the Web UI's origin, e.g. http://localhost:8233, got "${raw}"`);
  }
};

export function codecServerCommand(): Command {
  return new Command('codec-server')
    .description(
      `serve /decode and /encode for the Temporal Web UI (Codec Server setting) with the keys of ${ENCRYPTION_KEYS_VARIABLE}`,
    )
    .option('--port <n>', 'port to listen on (0 = any free port)', port, 8888)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option(
      '--web-ui-origin <url>',
      'the only browser origin let in (default: HAI_TEMPORAL_CODEC_ORIGIN or http://localhost:8233)',
      origin,
    )
    .option(
      '--token-env <name>',
      'environment variable holding the bearer token callers must send',
      'HAI_TEMPORAL_CODEC_TOKEN',
    )
    .action(async (o: { port: number; host: string; webUiOrigin?: string; tokenEnv: string }) => {
      const keys = loadEncryptionKeys();
      if (!keys)
        throw new SettingsError(`${ENCRYPTION_KEYS_VARIABLE} is not set: the codec server has no key to decrypt with`);
      const webUiOrigin = o.webUiOrigin ?? origin(process.env.HAI_TEMPORAL_CODEC_ORIGIN || 'http://localhost:8233');
      const token = process.env[o.tokenEnv] || undefined;
      const server = await startCodecServer({
        codec: new EncryptionCodec(keys),
        webUiOrigin,
        port: o.port,
        host: o.host,
        ...(token ? { token } : {}),
      });
      process.stdout.write(
        `codec server on ${server.url} for ${webUiOrigin} (keys ${[...keys.keys.keys()].join(', ')}; ${token ? `bearer token from ${o.tokenEnv}` : 'no token'})\n`,
      );
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
