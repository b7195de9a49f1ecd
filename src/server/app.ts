import { METHODS } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { mountView } from '../adapters/fastify.js';
import { packageVersion } from '../cli/package-version.js';
import { requireDrfTokenTable } from '../core/auth/live-drf-keys.js';
import { settingsOwnedBy, type TesseraSettings } from '../core/config/settings.js';
import type { TesseraEventName } from '../core/events.js';
import { pathOf } from '../core/http/query-param.js';
import type { PasswordHasher } from '../core/passwords/index.js';
import type { Store } from '../core/store.js';
import { createTessera, type Tessera } from '../core/tessera.js';
import type { ThrottleBackend } from '../core/throttling/throttle-backend.js';
import type { Clock } from '../core/time/clock.js';
import { openRedisThrottleBackend } from '../stores/redis/index.js';
import { directViews } from './direct-views.js';
import { referenceDocumentOptions, referenceRoutes, schemaRoutes } from './routes.js';
import { serverTimeoutOptions } from './server-timeouts.js';

/** What the reference server is built from. */
export interface ServerOptions {
  readonly store: Store;
  /**
   * Every setting (`settingsFromEnv()`): the server's own, the library's for its tessera, and
   * `redisUrl` for shared throttle counts. The other store settings opened `store` already.
   */
  readonly settings: TesseraSettings;
  readonly clock?: Clock;
  readonly passwords?: PasswordHasher;
  /** A pino-compatible logger, or false for none (tests). Default: JSON lines on stdout. */
  readonly logger?: FastifyBaseLogger | false;
  /** Where the default logger writes its JSON lines; default stdout. */
  readonly logStream?: NodeJS.WritableStream;
  /** An already wired tessera (its store and settings must be the ones above); tests use it. */
  readonly tessera?: Tessera;
  /** Where throttle counts live; default Redis when `settings.redisUrl` is set, else memory. */
  readonly throttleBackend?: ThrottleBackend;
  /**
   * False: Fastify's routes answer every request, as with the access log on (benchmarks measure
   * the Fastify adapter so). Default true: the API's paths are answered before Fastify routes
   * them (`directViews`).
   */
  readonly directViews?: boolean;
}

// `authenticated` happens on every request, so it is logged at debug level only; the rest are
// rarer and belong in an audit trail.
const EVENT_LEVELS: Record<TesseraEventName, 'debug' | 'info' | 'warn'> = {
  authenticated: 'debug',
  authentication_failed: 'info',
  token_created: 'info',
  token_rotated: 'info',
  token_revoked: 'info',
  admin_action: 'info',
};

// pino's level numbers; a logger with other level names always gets the call and decides itself.
const LEVEL_VALUES: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

function logs(loggerLevel: string, level: string): boolean {
  const threshold = LEVEL_VALUES[loggerLevel];
  return threshold === undefined || threshold <= (LEVEL_VALUES[level] ?? threshold);
}

/**
 * The reference server: the seed's `POST /api/build-trigger/`, DRF's `POST /api-token-auth/`,
 * knox's logout and logoutall, and the token API. It logs one line per tessera event and, with
 * `settings.accessLog`, one per request (method, path, status, time; never a header or a body).
 * Slow clients are bounded by the settings' timeouts (`serverTimeoutOptions`). Closing the server
 * writes pending token uses before Fastify's `onClose` ends.
 * @example
 * const app = await buildServer({ store, settings });
 * await app.listen({ host: settings.host, port: settings.port });
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { store, settings } = options;
  // Live mode without Django's table would answer every live key 503: refuse to start instead.
  if (settings.drfTokens === 'read') await requireDrfTokenTable(store);
  const timeouts = serverTimeoutOptions(settings);
  // The API's own paths are answered before Fastify routes them (`directViews`), unless the
  // access log is on: its line is written by a Fastify hook.
  const direct = directViews({
    enabled: !settings.accessLog && options.directViews !== false,
    maxBodyBytes: settings.maxBodyBytes,
    reportError: (error) => app.log.error({ err: error }, 'tessera: view failed'),
  });
  const app: FastifyInstance = Fastify({
    ...(options.logger === false
      ? { logger: false }
      : options.logger
        ? { loggerInstance: options.logger }
        : {
            logger: {
              level: settings.logLevel,
              ...(options.logStream ? { stream: options.logStream } : {}),
            },
          }),
    // Fastify's own request lines would log the URL with its query; tessera writes its own line.
    logController: new LogController({ disableRequestLogging: true }),
    // A request's own logger (a child binding its id) is made for every request; without the
    // access log only a failure writes a line, so requests share the server's logger instead.
    ...(settings.accessLog ? {} : { childLoggerFactory: (logger: FastifyBaseLogger) => logger }),
    // Bounds on slow clients: a head, a whole request, a silent connection, an idle keep-alive.
    ...timeouts,
    http: { ...timeouts.http, maxHeaderSize: settings.maxHeaderBytes },
    serverFactory: direct.serverFactory,
  }) as unknown as FastifyInstance;
  // Fastify answers 503 to requests arriving while it closes: from then on it answers them all.
  app.addHook('preClose', (done) => {
    direct.stop();
    done();
  });
  // DRF answers 405 with `Allow` for any method on a routed path; Fastify routes only the methods
  // it knows, and would answer PROPFIND, LOCK, PURGE… with 404.
  for (const method of METHODS) {
    if (method !== 'CONNECT' && !app.supportedMethods.includes(method)) {
      app.addHttpMethod(method, { hasBody: true });
    }
  }

  // With REDIS_URL, throttle counts are shared by every node; this server owns the connection.
  const ownThrottleBackend =
    !options.tessera && !options.throttleBackend && settings.redisUrl
      ? await openRedisThrottleBackend({ url: settings.redisUrl })
      : undefined;
  const throttleBackend = options.throttleBackend ?? ownThrottleBackend;
  const tessera: Tessera =
    options.tessera ??
    createTessera({
      store,
      settings: settingsOwnedBy('library', settings),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.passwords ? { passwords: options.passwords } : {}),
      ...(throttleBackend ? { throttleBackend } : {}),
      onBackgroundError: (error) => app.log.error({ err: error }, 'background task failed'),
      onWarning: (message) => app.log.warn(message),
    });
  for (const [name, level] of Object.entries(EVENT_LEVELS) as [TesseraEventName, 'info'][]) {
    // `authenticated` fires on every request: with no listener tessera builds no event for it, so
    // it is listened to only when the configured level writes it.
    if (name === 'authenticated' && !logs(settings.logLevel, level)) continue;
    tessera.events.on(name, (payload) => {
      if (logs(app.log.level, level)) app.log[level]({ event: name, ...payload }, 'event');
    });
  }
  app.addHook('onClose', () => tessera.close());
  if (ownThrottleBackend) app.addHook('onClose', () => ownThrottleBackend.close());

  // The access log, off by default as gunicorn's: no hook runs for it then.
  if (settings.accessLog) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.info(
        {
          method: request.method,
          // Without the query: a key someone put in the query string is never logged.
          path: pathOf(request.url),
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request',
      );
      done();
    });
  }
  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).type('application/json').send('{"detail":"Not found."}');
  });

  const mount = { maxBodyBytes: settings.maxBodyBytes };
  const routes = referenceRoutes(tessera);
  const documented = settings.schema
    ? schemaRoutes(tessera, referenceDocumentOptions(routes, packageVersion()))
    : [];
  for (const { path, view } of [...routes, ...documented]) {
    mountView(app, path, view, mount);
    direct.add(path, view);
  }
  // The admin page is HTML for people, so it stays out of the OpenAPI document.
  if (settings.admin) {
    const admin = tessera.views.admin({
      secretKey: settings.secretKey,
      trustedOrigins: (settings.adminTrustedOrigins ?? '')
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ''),
    });
    mountView(app, '/admin/', admin, mount);
    mountView(app, '/admin/:page/', admin, mount);
  }
  return app;
}
