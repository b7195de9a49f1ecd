import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { mountView } from '../adapters/fastify.js';
import { type Clock, systemClock } from '../core/clock.js';
import { PasswordHasher } from '../core/passwords/index.js';
import type { TesseraSettings } from '../core/settings.js';
import type { Store } from '../core/store.js';
import { TokenAuthentication } from '../core/token-authentication.js';
import { obtainTokenView } from '../core/views/obtain-token.js';
import { buildTriggerView } from './build-trigger.js';

/** What the reference server is built from. */
export interface ServerOptions {
  readonly store: Store;
  readonly settings: TesseraSettings;
  readonly clock?: Clock;
  readonly passwords?: PasswordHasher;
  /** A pino-compatible logger, or false for none (tests). Default: JSON lines on stdout. */
  readonly logger?: FastifyBaseLogger | false;
  /** Where the default logger writes its JSON lines; default stdout. */
  readonly logStream?: NodeJS.WritableStream;
}

/**
 * The reference server: the seed's `POST /api/build-trigger/` and DRF's `POST /api-token-auth/`,
 * logging one line per request (method, path, status, time; never a header or a body).
 * @example
 * const app = await buildServer({ store, settings });
 * await app.listen({ host: settings.host, port: settings.port });
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { store, settings } = options;
  const clock = options.clock ?? systemClock;
  const passwords =
    options.passwords ??
    new PasswordHasher({
      iterations: settings.passwordIterations,
      concurrency: settings.passwordConcurrency,
    });
  const app = Fastify({
    ...(options.logger === false
      ? { logger: false }
      : options.logger
        ? { loggerInstance: options.logger }
        : {
            logger: { level: 'info', ...(options.logStream ? { stream: options.logStream } : {}) },
          }),
    // Fastify's own request lines would log the URL with its query; tessera writes its own line.
    logController: new LogController({ disableRequestLogging: true }),
    http: { maxHeaderSize: settings.maxHeaderBytes },
  }) as unknown as FastifyInstance;

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?', 1)[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });
  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).type('application/json').send('{"detail":"Not found."}');
  });

  const tokenAuthentication = new TokenAuthentication({ store, keywords: settings.keywords });
  const mount = { maxBodyBytes: settings.maxBodyBytes };
  mountView(app, '/api/build-trigger/', buildTriggerView(tokenAuthentication), mount);
  mountView(
    app,
    '/api-token-auth/',
    obtainTokenView({
      store,
      passwords,
      clock,
      loginTokenLimit: settings.loginTokenLimit,
      reportError: (error) => app.log.error({ err: error }, 'password re-hash failed'),
    }),
    mount,
  );
  return app;
}
