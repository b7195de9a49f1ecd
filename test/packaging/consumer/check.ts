// Installed with tessera-auth from its tarball by tarball.test.ts: every adapter, used as its
// README shows, must type-check (a handler reads the user without casts) and answer like DRF.
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import {
  createTessera,
  defineView,
  IsAuthenticated,
  type RequestUser,
  TokenAuthentication,
} from 'tessera-auth';
import * as forExpress from 'tessera-auth/express';
import * as forFastify from 'tessera-auth/fastify';
import * as forHono from 'tessera-auth/hono';
import { Authentication, Permissions, TesseraModule, TesseraUser } from 'tessera-auth/nest';
import { viewListener } from 'tessera-auth/node';
import { openSqliteStore } from 'tessera-auth/sqlite';

const store = openSqliteStore({ filename: ':memory:' });
await store.migrate();
const tessera = createTessera({ store });
const declaration = {
  authentication: [tessera.tokenAuthentication],
  permissions: [IsAuthenticated],
};
const buildTrigger = defineView({
  name: 'Build Trigger',
  ...declaration,
  post: (request) => ({ data: { by: request.user.username } }),
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const expressApp = express();
expressApp
  .route('/native/')
  .all(forExpress.protect({ tessera, permissions: [IsAuthenticated], methods: ['POST'] }))
  .post((req, res) => {
    res.json({ by: req.tessera.user.username, kind: req.tessera.auth?.kind });
  });
forExpress.mountView(expressApp, '/view/', buildTrigger);
expressApp.use(forExpress.errorHandler());

const fastifyApp = Fastify();
await fastifyApp.register(forFastify.tessera, { tessera });
fastifyApp.post(
  '/native/',
  { config: { tessera: { permissions: [IsAuthenticated] } } },
  async (request) => ({ by: request.user.username, kind: request.auth?.kind }),
);
forFastify.mountView(fastifyApp, '/view/', buildTrigger);

const honoApp = new Hono<forHono.TesseraEnv>();
honoApp.use('/native/', forHono.protect({ ...declaration, methods: ['POST'] }));
honoApp.post('/native/', (c) => c.json({ by: c.get('user').username, kind: c.get('auth')?.kind }));
forHono.mountView(honoApp, '/view/', buildTrigger);
honoApp.onError(forHono.errorHandler());

@Controller('native')
@Authentication(TokenAuthentication)
@Permissions(IsAuthenticated)
class NativeController {
  @Post()
  @HttpCode(200)
  trigger(@TesseraUser() user: RequestUser): object {
    return { by: user.username };
  }
}
@Module({
  imports: [TesseraModule.forRoot({ tessera, views: { view: buildTrigger } })],
  controllers: [NativeController],
})
class AppModule {}
const nestApp = await NestFactory.create(AppModule, { bodyParser: false, logger: false });

const servers: Record<string, Server> = {
  express: createServer(expressApp),
  hono: createAdaptorServer({ fetch: honoApp.fetch }) as Server,
  node: createServer(viewListener({ '/native/': buildTrigger, '/view/': buildTrigger })),
};
const urls: Record<string, string> = {};
for (const [name, server] of Object.entries(servers)) urls[name] = await listen(server);
urls.fastify = await fastifyApp.listen({ host: '127.0.0.1', port: 0 });
await nestApp.listen(0, '127.0.0.1');
urls.nest = (await nestApp.getUrl()).replace('[::1]', '127.0.0.1');

for (const [name, url] of Object.entries(urls)) {
  for (const path of ['/native/', '/view/']) {
    const res = await fetch(new URL(path, url), { method: 'POST' });
    console.log(
      JSON.stringify({
        adapter: name,
        path,
        status: res.status,
        wwwAuthenticate: res.headers.get('www-authenticate'),
        contentType: res.headers.get('content-type'),
        body: await res.text(),
      }),
    );
  }
}

for (const server of Object.values(servers)) server.close();
await fastifyApp.close();
await nestApp.close();
await tessera.close();
await store.close();
