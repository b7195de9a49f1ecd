import type { FastifyInstance } from 'fastify';
import type { TesseraSettings } from '../core/config/settings.js';
import type { Store } from '../core/store.js';
import type { ThrottleBackend } from '../core/throttling/throttle-backend.js';
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
export async function serve(
  store: Store,
  settings: TesseraSettings,
  options: {
    /** Where throttle counts live (a cluster worker's: the primary); closed with the server. */
    readonly throttleBackend?: ThrottleBackend;
  } = {},
): Promise<RunningServer> {
  const { throttleBackend } = options;
  const app = await buildServer({
    store,
    settings,
    ...(throttleBackend ? { throttleBackend } : {}),
  });
  const url = await app.listen({ host: settings.host, port: settings.port });
  let closing: Promise<void> | undefined;
  const close = () => {
    // The requests in flight finish (and count their failures) before the backend goes.
    closing ??= app
      .close()
      .then(() => throttleBackend?.close())
      .then(() => store.close());
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
