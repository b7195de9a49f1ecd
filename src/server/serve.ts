import type { FastifyInstance } from 'fastify';
import type { TesseraSettings } from '../core/config/settings.js';
import type { Store } from '../core/store.js';
import { buildServer } from './app.js';

/** A running reference server. */
export interface RunningServer {
  readonly app: FastifyInstance;
  readonly url: string;
  /** Stops accepting, finishes requests in flight, then closes the store. */
  close(): Promise<void>;
}

/**
 * Starts the reference server on `settings.host:settings.port` and closes it cleanly on SIGINT or
 * SIGTERM, so nothing in flight is lost.
 */
export async function serve(store: Store, settings: TesseraSettings): Promise<RunningServer> {
  const app = await buildServer({ store, settings });
  const url = await app.listen({ host: settings.host, port: settings.port });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= app.close().then(() => store.close());
    return closing;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, 'shutting down');
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  return { app, url, close };
}
