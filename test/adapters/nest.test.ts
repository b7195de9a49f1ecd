// Compiled by tsc (tsconfig.decorators.json), not tsx: NestJS needs TypeScript's decorators.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type ArgumentsHost,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  HttpCode,
  type INestApplication,
  type LoggerService,
  Module,
  NotFoundException,
  Post,
  Req,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Request, Response } from 'express';
import {
  Authentication,
  isTesseraException,
  Permissions,
  Public,
  TesseraAuth,
  TesseraExceptionFilter,
  TesseraGuard,
  TesseraModule,
  type TesseraModuleOptions,
  type TesseraRequest,
  TesseraUser,
} from '../../src/adapters/nest/index.js';
import type { Authenticator } from '../../src/core/auth/authenticator.js';
import { IsAdminUser, IsAuthenticated } from '../../src/core/auth/permissions.js';
import { TokenAuthentication } from '../../src/core/auth/token-authentication.js';
import { ValidationError } from '../../src/core/errors.js';
import { createTessera } from '../../src/core/tessera.js';
import { generateKey } from '../../src/core/tokens/key-format.js';
import type { Token } from '../../src/core/tokens/token.js';
import type { RequestUser } from '../../src/core/users/user.js';
import { runDrfParitySuite } from '../parity/drf-parity-suite.js';
import { sendRaw } from '../parity/raw-http-client.js';
import { runAdapterConformance } from './adapter-conformance.js';
import {
  adapterParityTarget,
  type RunningApp,
  type ServeSeedApp,
  seedViews,
  userWithKey,
} from './seed-app.js';

/** DRF's class-based declaration, in Nest's idiom. */
@Controller('api/build-trigger')
@Authentication(TokenAuthentication)
@Permissions(IsAuthenticated)
class BuildTriggerController {
  @Post()
  @HttpCode(200)
  trigger(): void {}
}

/** Passes `error` lines to `log`; Nest's startup lines are dropped. */
function loggerInto(log: (entry: string) => void): LoggerService {
  return {
    log: () => {},
    warn: () => {},
    error: (...parts: unknown[]) => log(parts.map(String).join(' ')),
  };
}

async function startNest(
  tessera: TesseraModuleOptions,
  controllers: Type<unknown>[],
  log: (entry: string) => void = () => {},
  bodyParser = false,
): Promise<RunningApp & { app: INestApplication }> {
  @Module({ imports: [TesseraModule.forRoot(tessera)], controllers })
  class AppModule {}
  // Without Nest's bodyParser the body stays unread until a view asks, as DRF parses lazily.
  const app = await NestFactory.create(AppModule, {
    bodyParser,
    logger: loggerInto(log),
    abortOnError: false,
  });
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, baseUrl, close: () => app.close() };
}

/** Both seed views mounted as core views by `TesseraModule.forRoot({ views })`. */
const serveViews: ServeSeedApp = (seed, { maxBodyBytes, log }) =>
  startNest(
    {
      // The seed's own authentication: the parity suite sends more bad keys than a tessera's
      // key-guessing limit allows one address.
      authentication: [seed.tokenAuthentication],
      maxBodyBytes,
      views: { 'api/build-trigger/': seed.buildTrigger, 'api-token-auth/': seed.obtainToken },
    },
    [],
    log,
  );

/** build-trigger as a decorated controller; obtain-token as a core view. */
const serveControllers: ServeSeedApp = (seed, { maxBodyBytes, log }) =>
  startNest(
    {
      authentication: [seed.tokenAuthentication],
      maxBodyBytes,
      views: { 'api-token-auth/': seed.obtainToken },
    },
    [BuildTriggerController],
    log,
  );

runDrfParitySuite(adapterParityTarget('NestJS 11 adapter, guard + decorators', serveControllers));
runDrfParitySuite(adapterParityTarget('NestJS 11 adapter, TesseraModule views', serveViews));
runAdapterConformance('NestJS 11 adapter', serveViews);

@Controller('me')
@Authentication(TokenAuthentication)
class MeController {
  @Get()
  me(@TesseraUser() user: RequestUser, @TesseraAuth() auth: Token | null): object {
    return { username: user.username, kind: auth?.kind ?? null };
  }

  @Get('raw')
  raw(@Req() request: Request & TesseraRequest): object {
    return { username: request.tessera.user.username };
  }

  @Post('admin')
  @HttpCode(200)
  @Permissions(IsAdminUser)
  admin(): void {}

  @Post('invalid')
  invalid(): never {
    throw new ValidationError({ name: ['This field is required.'] });
  }
}

describe('NestJS 11 adapter: TesseraGuard and the decorators', () => {
  test('a handler reads @TesseraUser() and @TesseraAuth() (or request.tessera) typed; Allow is added', async () => {
    const seed = await seedViews();
    const key = await userWithKey(seed, 'nest_alice');
    const server = await startNest({ authentication: [seed.tokenAuthentication] }, [MeController]);
    try {
      const res = await sendRaw(server.baseUrl, {
        method: 'GET',
        path: '/me',
        headers: { Authorization: `Token ${key}` },
      });
      assert.equal(res.status, 200);
      assert.equal(res.body, '{"username":"nest_alice","kind":"default"}');
      assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
      const raw = await sendRaw(server.baseUrl, {
        method: 'GET',
        path: '/me/raw',
        headers: { Authorization: `Token ${key}` },
      });
      assert.equal(raw.body, '{"username":"nest_alice"}');
      const put = await sendRaw(server.baseUrl, {
        method: 'PUT',
        path: '/me',
        headers: { Authorization: `Token ${key}` },
      });
      assert.equal(put.status, 405);
      assert.equal(put.headers['content-type'], 'application/json');
      assert.equal(put.body, '{"detail":"Method \\"PUT\\" not allowed."}');
    } finally {
      await server.close();
      await seed.store.close();
    }
  });

  test('@Permissions on one handler: 401 without a token, 403 for a non-staff user', async () => {
    const seed = await seedViews();
    const key = await userWithKey(seed, 'nest_bob');
    const server = await startNest({ authentication: [seed.tokenAuthentication] }, [MeController]);
    try {
      const anonymous = await sendRaw(server.baseUrl, { method: 'POST', path: '/me/admin' });
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.headers['www-authenticate'], 'Token');
      const denied = await sendRaw(server.baseUrl, {
        method: 'POST',
        path: '/me/admin',
        headers: { Authorization: `Token ${key}` },
      });
      assert.equal(denied.status, 403);
      assert.equal(denied.body, '{"detail":"You do not have permission to perform this action."}');
    } finally {
      await server.close();
      await seed.store.close();
    }
  });

  test("a handler's ApiError is rendered in DRF's shape with Allow", async () => {
    const seed = await seedViews();
    const server = await startNest({ authentication: [seed.tokenAuthentication] }, [MeController]);
    try {
      const res = await sendRaw(server.baseUrl, { method: 'POST', path: '/me/invalid' });
      assert.equal(res.status, 400);
      assert.equal(res.headers['content-type'], 'application/json');
      assert.equal(res.headers.allow, 'POST, OPTIONS');
      assert.equal(res.body, '{"name":["This field is required."]}');
    } finally {
      await server.close();
      await seed.store.close();
    }
  });

  test('registered globally as well, the guard authenticates once per request', async () => {
    const seed = await seedViews();
    const key = await userWithKey(seed, 'nest_carol');
    let calls = 0;
    const counting: Authenticator = {
      authenticate: (request) => {
        calls++;
        return seed.tokenAuthentication.authenticate(request);
      },
      authenticateHeader: () => 'Token',
    };
    @Controller('counted')
    @Permissions(IsAuthenticated)
    class CountedController {
      @Post()
      @HttpCode(200)
      post(): void {}
    }
    @Module({
      imports: [TesseraModule.forRoot({ authentication: [counting] })],
      controllers: [CountedController],
      providers: [{ provide: 'APP_GUARD', useExisting: TesseraGuard }],
    })
    class GlobalGuardModule {}
    const app = await NestFactory.create(GlobalGuardModule, {
      bodyParser: false,
      logger: false,
      abortOnError: false,
    });
    await app.listen(0, '127.0.0.1');
    try {
      const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      const res = await sendRaw(baseUrl, {
        method: 'POST',
        path: '/counted',
        headers: { Authorization: `Token ${key}` },
      });
      assert.equal(res.status, 200);
      assert.equal(calls, 1);
    } finally {
      await app.close();
      await seed.store.close();
    }
  });
});

@Controller('plain')
class PlainController {
  @Get()
  get(@TesseraUser() user: RequestUser): object {
    return { username: user.username };
  }

  @Get('health')
  @Public()
  health(@TesseraUser() user: RequestUser): object {
    return { ok: true, anonymous: !user.isAuthenticated };
  }
}

@Controller('public')
@Public()
class PublicController {
  @Get()
  get(): object {
    return { ok: true };
  }
}

@Controller('failing')
class FailingController {
  @Post()
  @HttpCode(200)
  fail(): void {
    throw new Error('handler bug');
  }

  @Get('missing')
  missing(): void {
    throw new NotFoundException();
  }

  @Get('public')
  @Public()
  publicFailure(): void {
    throw new Error('public bug');
  }
}

/** An app's own catch-all filter, handing tessera's exceptions on as docs/frameworks.md says. */
@Catch()
class AppFilter implements ExceptionFilter {
  readonly #tessera = new TesseraExceptionFilter();
  catch(exception: unknown, host: ArgumentsHost): void {
    if (isTesseraException(exception)) this.#tessera.catch(exception, host);
    else host.switchToHttp().getResponse<Response>().status(599).json({ app: 'filter' });
  }
}

describe('NestJS 11 adapter: TesseraModule.forRoot({ tessera, globalGuard: true })', () => {
  test("a guarded handler's Error is DRF's 500; Nest's own exceptions and public routes keep the app's filter", async () => {
    const seed = await seedViews();
    const tessera = createTessera({ store: seed.store });
    const logged: string[] = [];
    @Module({
      imports: [TesseraModule.forRoot({ tessera, globalGuard: true })],
      controllers: [FailingController],
    })
    class AppModule {}
    const app = await NestFactory.create(AppModule, {
      bodyParser: false,
      logger: loggerInto((entry) => logged.push(entry)),
      abortOnError: false,
    });
    app.useGlobalFilters(new AppFilter());
    await app.listen(0, '127.0.0.1');
    try {
      const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      const key = await userWithKey(seed, 'nest_failing');
      const auth = { Authorization: `Token ${key}` };
      const anonymous = await sendRaw(baseUrl, { method: 'POST', path: '/failing' });
      assert.equal(anonymous.status, 401);
      const failed = await sendRaw(baseUrl, { method: 'POST', path: '/failing', headers: auth });
      assert.equal(failed.status, 500);
      assert.equal(failed.headers['content-type'], 'application/json');
      assert.equal(failed.headers.allow, 'POST, OPTIONS');
      assert.equal(failed.body, '{"detail":"A server error occurred."}');
      assert.match(logged.join('\n'), /handler bug/);
      for (const entry of logged) assert.ok(!entry.includes(key.slice(4)), entry);
      const missing = await sendRaw(baseUrl, {
        method: 'GET',
        path: '/failing/missing',
        headers: auth,
      });
      assert.deepEqual([missing.status, missing.body], [599, '{"app":"filter"}']);
      const open = await sendRaw(baseUrl, { method: 'GET', path: '/failing/public' });
      assert.deepEqual([open.status, open.body], [599, '{"app":"filter"}']);
    } finally {
      await app.close();
      await tessera.close();
      await seed.store.close();
    }
  });

  async function globalApp(bodyParser = false, log: (entry: string) => void = () => {}) {
    const seed = await seedViews();
    const tessera = createTessera({ store: seed.store });
    const server = await startNest(
      { tessera, globalGuard: true, views: { 'api-token-auth/': tessera.views.obtainToken } },
      [PlainController, PublicController, MeController],
      log,
      bodyParser,
    );
    return {
      seed,
      server,
      async close() {
        await server.close();
        await tessera.close();
        await seed.store.close();
      },
    };
  }

  test('every route is guarded: 401 without a key, 200 with one', async () => {
    const app = await globalApp();
    try {
      const key = await userWithKey(app.seed, 'nest_global');
      const anonymous = await sendRaw(app.server.baseUrl, { method: 'GET', path: '/plain' });
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.headers['www-authenticate'], 'Token');
      assert.equal(anonymous.headers['content-type'], 'application/json');
      assert.equal(anonymous.body, '{"detail":"Authentication credentials were not provided."}');
      const res = await sendRaw(app.server.baseUrl, {
        method: 'GET',
        path: '/plain',
        headers: { Authorization: `Token ${key}` },
      });
      assert.equal(res.status, 200);
      assert.equal(res.body, '{"username":"nest_global"}');
      assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
    } finally {
      await app.close();
    }
  });

  test('@Public() routes and controllers answer without a key; the login view too', async () => {
    const app = await globalApp();
    try {
      await userWithKey(app.seed, 'nest_login', 'correct-horse-battery');
      const health = await sendRaw(app.server.baseUrl, { method: 'GET', path: '/plain/health' });
      assert.equal(health.status, 200);
      assert.equal(health.body, '{"ok":true,"anonymous":true}');
      const open = await sendRaw(app.server.baseUrl, { method: 'GET', path: '/public' });
      assert.equal(open.status, 200);
      const login = await sendRaw(app.server.baseUrl, {
        method: 'POST',
        path: '/api-token-auth/',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'username=nest_login&password=correct-horse-battery',
      });
      assert.equal(login.status, 200);
      assert.match(login.body, /^\{"token":"tsr_[0-9A-Za-z]{38}"\}$/);
    } finally {
      await app.close();
    }
  });

  test('per-controller declarations still apply under the global guard', async () => {
    const app = await globalApp();
    try {
      const key = await userWithKey(app.seed, 'nest_staffless');
      const denied = await sendRaw(app.server.baseUrl, {
        method: 'POST',
        path: '/me/admin',
        headers: { Authorization: `Token ${key}` },
      });
      assert.equal(denied.status, 403);
      const put = await sendRaw(app.server.baseUrl, {
        method: 'PUT',
        path: '/me',
        headers: { Authorization: `Token ${key}` },
      });
      assert.equal(put.status, 405);
      assert.equal(put.headers.allow, 'GET, HEAD, OPTIONS');
    } finally {
      await app.close();
    }
  });

  test("the default authentication is the tessera's: the 61st bad key from one address → 429", async () => {
    const app = await globalApp();
    try {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 61; attempt++) {
        const res = await sendRaw(app.server.baseUrl, {
          method: 'GET',
          path: '/plain',
          headers: { Authorization: `Token ${generateKey()}` },
        });
        statuses.push(res.status);
      }
      assert.deepEqual(statuses.slice(0, 60), Array(60).fill(401));
      assert.equal(statuses[60], 429);
    } finally {
      await app.close();
    }
  });

  test("with Nest's default bodyParser: JSON and form logins answer 200; malformed JSON is DRF's 400, never logged", async () => {
    const PASSWORD = 'Sesame-never-logged-42';
    const logged: string[] = [];
    const printed: string[] = [];
    const original = console.error;
    console.error = (...parts: unknown[]) => printed.push(parts.map(String).join(' '));
    const app = await globalApp(true, (entry) => logged.push(entry));
    try {
      await userWithKey(app.seed, 'nest_parsed', PASSWORD);
      const json = await sendRaw(app.server.baseUrl, {
        method: 'POST',
        path: '/api-token-auth/',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'nest_parsed', password: PASSWORD }),
      });
      assert.equal(json.status, 200, json.body);
      const form = await sendRaw(app.server.baseUrl, {
        method: 'POST',
        path: '/api-token-auth/',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `username=nest_parsed&password=${PASSWORD}`,
      });
      assert.equal(form.status, 200, form.body);
      const malformed = await sendRaw(app.server.baseUrl, {
        method: 'POST',
        path: '/api-token-auth/',
        headers: { 'Content-Type': 'application/json' },
        body: `{"username":"nest_parsed","password":"${PASSWORD}",}`,
      });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.headers['content-type'], 'application/json');
      assert.equal(
        malformed.body,
        '{"detail":"JSON parse error - Expecting property name enclosed in double quotes: line 1 column 63 (char 62)"}',
      );
      for (const line of [...logged, ...printed]) assert.ok(!line.includes(PASSWORD), line);
    } finally {
      console.error = original;
      await app.close();
    }
  });

  test("without the global guard, a bodyParser error elsewhere than tessera's views stays Nest's", async () => {
    const seed = await seedViews();
    const server = await startNest(
      {
        authentication: [seed.tokenAuthentication],
        views: { 'api-token-auth/': seed.obtainToken },
      },
      [PublicController],
      () => {},
      true,
    );
    try {
      const send = (path: string) =>
        sendRaw(server.baseUrl, {
          method: 'POST',
          path,
          headers: { 'Content-Type': 'application/json' },
          body: '{"a":',
        });
      const view = await send('/api-token-auth/');
      assert.equal(view.status, 400);
      assert.equal(
        view.body,
        '{"detail":"JSON parse error - Expecting value: line 1 column 6 (char 5)"}',
      );
      const elsewhere = await send('/public');
      assert.equal(elsewhere.status, 400);
      assert.equal(JSON.parse(elsewhere.body).statusCode, 400);
    } finally {
      await server.close();
      await seed.store.close();
    }
  });

  test('a JavaScript caller passing { store } is told to pass { tessera }', async () => {
    const seed = await seedViews();
    try {
      assert.throws(() => TesseraModule.forRoot({ store: seed.store } as TesseraModuleOptions), {
        name: 'TypeError',
        message: /TesseraModule\.forRoot takes \{ tessera \}/,
      });
    } finally {
      await seed.store.close();
    }
  });
});
