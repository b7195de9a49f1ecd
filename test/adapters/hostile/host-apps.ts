// Apps as people write them around tessera: a global body parser, the framework's trust-proxy
// setting, a framework error handler, a global prefix (NestJS). Every app serves the seed's
// `POST /api/build-trigger/` and `/api-token-auth/`; the adapters' apps also serve
// `POST /api/explode/` (a handler throwing an ordinary Error that holds a secret) and
// `POST /api/denied/` (a handler throwing PermissionDenied), both behind IsAuthenticated.
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createAdaptorServer } from '@hono/node-server';
import {
  type ArgumentsHost,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  HttpCode,
  type LoggerService,
  Module,
  Post,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import Fastify, { type FastifyError } from 'fastify';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as expressAdapter from '../../../src/adapters/express.js';
import * as fastifyAdapter from '../../../src/adapters/fastify.js';
import * as honoAdapter from '../../../src/adapters/hono.js';
import { Authentication, Permissions, TesseraModule } from '../../../src/adapters/nest/index.js';
import { viewListener } from '../../../src/adapters/node.js';
import { IsAuthenticated } from '../../../src/core/auth/permissions.js';
import { TokenAuthentication } from '../../../src/core/auth/token-authentication.js';
import { DEFAULT_SETTINGS, settingsOwnedBy } from '../../../src/core/config/settings.js';
import { PermissionDenied } from '../../../src/core/errors.js';
import { defineView } from '../../../src/core/http/view.js';
import { PasswordHasher } from '../../../src/core/passwords/index.js';
import { createTessera, type Tessera } from '../../../src/core/tessera.js';
import { systemClock } from '../../../src/core/time/clock.js';
import { issueDefaultToken } from '../../../src/core/tokens/token-issuer.js';
import { createUser } from '../../../src/core/users/users.js';
import { buildServer } from '../../../src/server/app.js';
import { buildTriggerView } from '../../../src/server/build-trigger.js';
import { openSqliteStore } from '../../../src/stores/sqlite/index.js';

/** The largest body every app reads. */
export const MAX_BODY_BYTES = 8192;
export const USERNAME = 'hostile_alice';
export const PASSWORD = 'pässwörd-never-logged';
/** Text an exploding handler's Error carries: it must reach no answer. */
export const ERROR_SECRET = 'secret-in-a-handler-error';

/** One log line an app wrote, by level. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly text: string;
}

/** A running host app on loopback. */
export interface HostApp {
  readonly port: number;
  /** The user's valid key. */
  readonly key: string;
  /** Everything the app (and tessera in it) logged so far, console included. */
  readonly logs: LogLine[];
  /** True for adapters' apps, which serve `/api/explode/` and `/api/denied/`. */
  readonly handlers: boolean;
  close(): Promise<void>;
}

/** How an app is started: the tessera it wires, and where its log lines go. */
export interface HostAppTarget {
  readonly name: string;
  readonly handlers: boolean;
  start(tessera: Tessera, logs: LogLine[]): Promise<{ port: number; close(): Promise<void> }>;
}

const passwords = new PasswordHasher({ iterations: 1000 });

/** Console lines go to the app that runs now; tests run one app at a time in this file. */
let consoleSink: LogLine[] | undefined;
const original = { ...console };
for (const level of ['debug', 'info', 'warn', 'error'] as const) {
  console[level] = (...parts: unknown[]) => {
    if (consoleSink) consoleSink.push({ level, text: parts.map(describe).join(' ') });
    else original[level](...parts);
  };
}
console.log = (...parts: unknown[]) => {
  if (consoleSink) consoleSink.push({ level: 'info', text: parts.map(describe).join(' ') });
  else original.log(...parts);
};

function describe(part: unknown): string {
  if (part instanceof Error) return `${part.stack ?? part.message} ${JSON.stringify(part)}`;
  return typeof part === 'string' ? part : (JSON.stringify(part) ?? String(part));
}

const PINO_LEVELS: Record<number, LogLine['level']> = {
  10: 'debug',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'error',
};

/** A pino destination keeping each JSON line by its level. */
function pinoStream(logs: LogLine[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        const level = PINO_LEVELS[(JSON.parse(line) as { level: number }).level] ?? 'error';
        logs.push({ level, text: line });
      }
      done();
    },
  });
}

async function listen(server: Server): Promise<{ port: number; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function throwSecret(): never {
  throw new Error(`handler failed: ${ERROR_SECRET}`);
}

function throwDenied(): never {
  throw new PermissionDenied();
}

/** `tessera serve`'s app, logging JSON lines at debug level. */
const reference: HostAppTarget = {
  name: 'reference server',
  handlers: false,
  async start(tessera, logs) {
    const app = await buildServer({
      store: tessera.store,
      settings: { ...DEFAULT_SETTINGS, logLevel: 'debug', maxBodyBytes: MAX_BODY_BYTES },
      tessera,
      logStream: pinoStream(logs),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
  },
};

/** Fastify with `trustProxy`, its logger, its own error handler and the tessera plugin. */
const fastify: HostAppTarget = {
  name: 'Fastify plugin',
  handlers: true,
  async start(tessera, logs) {
    const app = Fastify({ trustProxy: true, logger: { level: 'debug', stream: pinoStream(logs) } });
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const status = error.statusCode ?? 500;
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      return reply
        .code(status)
        .send({ error: status >= 500 ? 'Something went wrong' : error.message });
    });
    await app.register(fastifyAdapter.tessera, { tessera });
    const config = { tessera: { name: 'Build Trigger', permissions: [IsAuthenticated] } };
    app.post('/api/build-trigger/', { config }, async (_request, reply) => reply.code(200).send());
    app.post('/api/explode/', { config }, async () => throwSecret());
    app.post('/api/denied/', { config }, async () => throwDenied());
    fastifyAdapter.mountView(app, '/api-token-auth/', tessera.views.obtainToken, { tessera });
    await app.listen({ host: '127.0.0.1', port: 0 });
    return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
  },
};

/**
 * Express with `trust proxy`, `express.json()` and `express.urlencoded()` first, tessera's
 * error handler, then the host's own. Strict and case-sensitive routing are Express's settings,
 * set as docs/frameworks.md says for DRF's paths.
 */
const expressApp: HostAppTarget = {
  name: 'Express adapter',
  handlers: true,
  async start(tessera) {
    const app = express();
    app.set('trust proxy', true);
    app.set('strict routing', true);
    app.set('case sensitive routing', true);
    // The host's parsers read bodies first; their limit is tessera's (docs/frameworks.md).
    app.use(express.json({ limit: MAX_BODY_BYTES }));
    app.use(express.urlencoded({ extended: false, limit: MAX_BODY_BYTES }));
    const guard = () =>
      expressAdapter.protect({
        tessera,
        name: 'Build Trigger',
        permissions: [IsAuthenticated],
        methods: ['POST'],
      });
    app
      .route('/api/build-trigger/')
      .all(guard())
      .post((_request, response) => {
        response.status(200).end();
      });
    app.route('/api/explode/').all(guard()).post(throwSecret);
    app
      .route('/api/denied/')
      .all(guard())
      .post(async () => throwDenied());
    expressAdapter.mountView(app, '/api-token-auth/', tessera.views.obtainToken, { tessera });
    app.use(expressAdapter.errorHandler());
    app.use(
      (error: unknown, _request: express.Request, response: express.Response, _next: unknown) => {
        console.error('request failed', error);
        response.status(500).json({ error: 'Something went wrong' });
      },
    );
    return listen(createServer(app));
  },
};

/** Hono on node-server, `bodyLimit` on the API's routes, tessera's error handler. */
const hono: HostAppTarget = {
  name: 'Hono adapter',
  handlers: true,
  async start(tessera) {
    const app = new Hono<honoAdapter.TesseraEnv>();
    const guard = honoAdapter.protect({
      tessera,
      name: 'Build Trigger',
      permissions: [IsAuthenticated],
      methods: ['POST'],
    });
    for (const path of ['/api/build-trigger/', '/api/explode/', '/api/denied/'])
      app.use(path, guard);
    // A route's own bodyLimit replaces `c.req.raw` for a chunked body, after `protect` ran.
    const limit = bodyLimit({ maxSize: 1024 * 1024 });
    app.post('/api/build-trigger/', limit, (c) => c.body(null, 200));
    app.post('/api/explode/', limit, () => throwSecret());
    app.post('/api/denied/', limit, () => throwDenied());
    honoAdapter.mountView(app, '/api-token-auth/', tessera.views.obtainToken, { tessera });
    app.onError(honoAdapter.errorHandler());
    return listen(createAdaptorServer({ fetch: app.fetch }) as Server);
  },
};

/** The node:http listener, as the example serves it. */
const node: HostAppTarget = {
  name: 'node:http adapter',
  handlers: true,
  async start(tessera) {
    const guarded = {
      authentication: [tessera.tokenAuthentication],
      permissions: [IsAuthenticated],
    };
    return listen(
      createServer(
        viewListener(
          {
            '/api/build-trigger/': buildTriggerView(tessera.tokenAuthentication),
            '/api/explode/': defineView({ ...guarded, post: throwSecret }),
            '/api/denied/': defineView({ ...guarded, post: throwDenied }),
            '/api-token-auth/': tessera.views.obtainToken,
          },
          { tessera },
        ),
      ),
    );
  },
};

// NestJS without decorator syntax (this file runs through tsx): the decorators applied as calls.
function method(
  target: { prototype: object },
  name: string,
  ...decorators: MethodDecorator[]
): void {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, name) as PropertyDescriptor;
  for (const decorate of decorators) decorate(target.prototype, name, descriptor);
}

class BuildTriggerController {
  trigger(): void {}
}
method(BuildTriggerController, 'trigger', Post(), HttpCode(200));
Controller('build-trigger')(BuildTriggerController);
Authentication(TokenAuthentication)(BuildTriggerController);
Permissions(IsAuthenticated)(BuildTriggerController);

class ExplodeController {
  explode(): void {
    throwSecret();
  }
}
method(ExplodeController, 'explode', Post());
Controller('explode')(ExplodeController);
Authentication(TokenAuthentication)(ExplodeController);
Permissions(IsAuthenticated)(ExplodeController);

class DeniedController {
  denied(): void {
    throwDenied();
  }
}
method(DeniedController, 'denied', Post());
Controller('denied')(DeniedController);
Authentication(TokenAuthentication)(DeniedController);
Permissions(IsAuthenticated)(DeniedController);

/** A protected controller with a sub-path: `POST /api/widgets/`, `GET /api/widgets/:id`. */
export class WidgetsController {
  create(): void {}
  one(): string {
    return 'widget';
  }
  everything(): string {
    return 'never routed';
  }
}
method(WidgetsController, 'create', Post(), HttpCode(200));
method(WidgetsController, 'one', Get(':id'));
Controller('widgets')(WidgetsController);
Authentication(TokenAuthentication)(WidgetsController);
Permissions(IsAuthenticated)(WidgetsController);

/** A host's catch-all filter, as apps register one to log and shape their errors. */
class HostErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    console.error('request failed', exception);
    const response = host.switchToHttp().getResponse<express.Response>();
    response.status(500).json({ error: 'Something went wrong' });
  }
}
Catch()(HostErrorFilter);

function nestLogger(logs: LogLine[]): LoggerService {
  const into =
    (level: LogLine['level']) =>
    (...parts: unknown[]) =>
      logs.push({ level, text: parts.map(describe).join(' ') });
  return { log: into('info'), warn: into('warn'), error: into('error'), debug: into('debug') };
}

/** NestJS on Express: the default bodyParser, a global prefix, `trust proxy`, a host filter. */
const nest: HostAppTarget = {
  name: 'NestJS adapter',
  handlers: true,
  async start(tessera, logs) {
    class AppModule {}
    Module({
      imports: [
        TesseraModule.forRoot({ tessera, views: { 'api-token-auth/': tessera.views.obtainToken } }),
      ],
      controllers: [BuildTriggerController, ExplodeController, DeniedController, WidgetsController],
    })(AppModule);
    const app = await NestFactory.create<NestExpressApplication>(AppModule, {
      logger: nestLogger(logs),
    });
    // Nest's default bodyParser reads bodies first; its limit is tessera's (docs/frameworks.md).
    app.useBodyParser('json', { limit: MAX_BODY_BYTES });
    app.useBodyParser('urlencoded', { limit: MAX_BODY_BYTES });
    app.setGlobalPrefix('api', { exclude: ['api-token-auth/'] });
    app.set('trust proxy', true);
    app.useGlobalFilters(new HostErrorFilter());
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    return { port, close: () => app.close() };
  },
};

export const HOST_APP_TARGETS: readonly HostAppTarget[] = [
  reference,
  fastify,
  expressApp,
  hono,
  node,
  nest,
];

/** Starts `target` on a fresh in-memory store with one user and their key. */
export async function startHostApp(target: HostAppTarget): Promise<HostApp> {
  const store = openSqliteStore({ filename: ':memory:' });
  await store.migrate();
  const user = await createUser(store, passwords, systemClock, {
    username: USERNAME,
    password: PASSWORD,
  });
  const { key } = await issueDefaultToken(store, user.id, systemClock);
  const logs: LogLine[] = [];
  const tessera = createTessera({
    store,
    passwords,
    settings: settingsOwnedBy('library', { ...DEFAULT_SETTINGS, maxBodyBytes: MAX_BODY_BYTES }),
    onWarning: (message) => logs.push({ level: 'warn', text: message }),
    onBackgroundError: (error) => logs.push({ level: 'error', text: describe(error) }),
  });
  consoleSink = logs;
  const running = await target.start(tessera, logs);
  return {
    port: running.port,
    key,
    logs,
    handlers: target.handlers,
    async close() {
      await running.close();
      consoleSink = undefined;
      await tessera.close();
      await store.close();
    },
  };
}
