// Compiled by tsc (tsconfig.decorators.json), not tsx: NestJS needs TypeScript's decorators.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Controller,
  Get,
  HttpCode,
  type INestApplication,
  type LoggerService,
  Module,
  Post,
  Req,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Request } from 'express';
import {
  Authentication,
  Permissions,
  TesseraGuard,
  TesseraModule,
  type TesseraModuleOptions,
} from '../../src/adapters/nest.js';
import type { Authenticator } from '../../src/core/auth/authenticator.js';
import { IsAdminUser, IsAuthenticated } from '../../src/core/auth/permissions.js';
import { TokenAuthentication } from '../../src/core/auth/token-authentication.js';
import { ValidationError } from '../../src/core/errors.js';
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
): Promise<RunningApp & { app: INestApplication }> {
  @Module({ imports: [TesseraModule.forRoot(tessera)], controllers })
  class AppModule {}
  // The body stays unread until a view asks for it, as DRF parses lazily.
  const app = await NestFactory.create(AppModule, {
    bodyParser: false,
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
      store: seed.store,
      maxBodyBytes,
      views: { 'api/build-trigger/': seed.buildTrigger, 'api-token-auth/': seed.obtainToken },
    },
    [],
    log,
  );

/** build-trigger as a decorated controller; obtain-token as a core view. */
const serveControllers: ServeSeedApp = (seed, { maxBodyBytes, log }) =>
  startNest(
    { store: seed.store, maxBodyBytes, views: { 'api-token-auth/': seed.obtainToken } },
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
  me(@Req() request: Request): object {
    return { username: request.user.username, kind: request.auth?.kind ?? null };
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
  test('a handler reads request.user and request.auth without casts; Allow is added', async () => {
    const seed = await seedViews();
    const key = await userWithKey(seed, 'nest_alice');
    const server = await startNest({ store: seed.store }, [MeController]);
    try {
      const res = await sendRaw(server.baseUrl, {
        method: 'GET',
        path: '/me',
        headers: { Authorization: `Token ${key}` },
      });
      assert.equal(res.status, 200);
      assert.equal(res.body, '{"username":"nest_alice","kind":"default"}');
      assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
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
    const server = await startNest({ store: seed.store }, [MeController]);
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
    const server = await startNest({ store: seed.store }, [MeController]);
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
