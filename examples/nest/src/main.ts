import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createTessera, openStore, settingsFromEnv, settingsOwnedBy } from 'tessera-auth';
import { TesseraModule } from 'tessera-auth/nest';
import { BuildTriggerController } from './build-trigger.controller.js';

// DATABASE_URL, HOST, PORT and TESSERA_* as for `tessera serve` (default ./tessera.sqlite3).
const settings = settingsFromEnv();
const store = await openStore(settings.databaseUrl, settingsOwnedBy('store', settings));
await store.migrate();
// Token authentication with its limits, events and last-used records, and DRF's views.
const tessera = createTessera({ store, settings: settingsOwnedBy('library', settings) });

@Module({
  imports: [
    TesseraModule.forRoot({
      // `@Authentication(TokenAuthentication)` on a controller resolves to the tessera's (with
      // its key-guessing limit); `globalGuard: true` would guard every route, `@Public()` aside.
      tessera,
      // DRF's obtain_auth_token, parsing form, multipart or JSON bodies as DRF does.
      views: { 'api-token-auth/': tessera.views.obtainToken },
    }),
  ],
  controllers: [BuildTriggerController],
})
class AppModule {}

// tessera reads bodies itself, after authentication (DRF's order) and with DRF's error texts.
// Nest's default bodyParser works too: the body it parsed is taken as it is.
const app = await NestFactory.create(AppModule, { bodyParser: false, logger: ['warn', 'error'] });
await app.listen(settings.port, settings.host);
console.log(`listening on ${await app.getUrl()}`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () =>
    app
      .close()
      .then(() => tessera.close())
      .then(() => store.close()),
  );
}
