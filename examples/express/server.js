import express from 'express';
import { createTessera, IsAuthenticated, openStore, settingsFromEnv } from 'tessera-auth';
import { errorHandler, mountView, protect } from 'tessera-auth/express';

// DATABASE_URL, HOST, PORT and TESSERA_* as for `tessera serve` (default ./tessera.sqlite3).
const settings = settingsFromEnv();
const store = await openStore(settings.databaseUrl, settings);
await store.migrate();
// Token authentication with its limits, events and last-used records, and DRF's views.
const tessera = createTessera({ store, settings });

const app = express();

// The seed's BuildTrigger: token authentication and IsAuthenticated; 200 with an empty body.
app
  .route('/api/build-trigger/')
  .all(
    protect({
      name: 'Build Trigger',
      authentication: [tessera.tokenAuthentication],
      permissions: [IsAuthenticated],
      methods: ['POST'],
    }),
  )
  .post((_req, res) => {
    res.status(200).end();
  });

// DRF's obtain_auth_token, parsing form, multipart or JSON bodies as DRF does.
mountView(app, '/api-token-auth/', tessera.views.obtainToken, {
  maxBodyBytes: settings.maxBodyBytes,
});

app.use(errorHandler());

const server = app.listen(settings.port, settings.host, () => {
  console.log(`listening on http://${settings.host}:${server.address().port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => server.close(() => tessera.close().then(() => store.close())));
}
