import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { obtainTokenView, PasswordHasher, settingsFromEnv, systemClock } from 'tessera-auth';
import { TesseraModule } from 'tessera-auth/nest';
import { openSqliteStore } from 'tessera-auth/sqlite';
import { BuildTriggerController } from './build-trigger.controller.js';

// HOST, PORT and TESSERA_* as for `tessera serve`; the database is the one `npx tessera` uses.
const settings = settingsFromEnv();
const store = openSqliteStore({ filename: 'tessera.sqlite3' });
await store.migrate();
const passwords = new PasswordHasher({ iterations: settings.passwordIterations });

@Module({
  imports: [
    TesseraModule.forRoot({
      store,
      keywords: settings.keywords,
      maxBodyBytes: settings.maxBodyBytes,
      // DRF's obtain_auth_token, parsing form, multipart or JSON bodies as DRF does.
      views: {
        'api-token-auth/': obtainTokenView({
          store,
          passwords,
          clock: systemClock,
          loginTokenLimit: settings.loginTokenLimit,
        }),
      },
    }),
  ],
  controllers: [BuildTriggerController],
})
class AppModule {}

// tessera reads bodies itself, after authentication (DRF's order): no body parser before it.
const app = await NestFactory.create(AppModule, { bodyParser: false, logger: ['warn', 'error'] });
await app.listen(settings.port, settings.host);
console.log(`listening on ${await app.getUrl()}`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => app.close().then(() => store.close()));
}
