import express from 'express';
import {
  IsAuthenticated,
  obtainTokenView,
  PasswordHasher,
  settingsFromEnv,
  systemClock,
  TokenAuthentication,
} from 'tessera-auth';
import { errorHandler, mountView, protect } from 'tessera-auth/express';
import { openSqliteStore } from 'tessera-auth/sqlite';

// HOST, PORT and TESSERA_* as for `tessera serve`; the database is the one `npx tessera` uses.
const settings = settingsFromEnv();
const store = openSqliteStore({ filename: 'tessera.sqlite3' });
await store.migrate();
const tokenAuthentication = new TokenAuthentication({ store, keywords: settings.keywords });
const passwords = new PasswordHasher({ iterations: settings.passwordIterations });

const app = express();

// The seed's BuildTrigger: token authentication and IsAuthenticated; 200 with an empty body.
app
  .route('/api/build-trigger/')
  .all(
    protect({
      name: 'Build Trigger',
      authentication: [tokenAuthentication],
      permissions: [IsAuthenticated],
      methods: ['POST'],
    }),
  )
  .post((_req, res) => {
    res.status(200).end();
  });

// DRF's obtain_auth_token, parsing form, multipart or JSON bodies as DRF does.
mountView(
  app,
  '/api-token-auth/',
  obtainTokenView({
    store,
    passwords,
    clock: systemClock,
    loginTokenLimit: settings.loginTokenLimit,
  }),
  { maxBodyBytes: settings.maxBodyBytes },
);

app.use(errorHandler());

const server = app.listen(settings.port, settings.host, () => {
  console.log(`listening on http://${settings.host}:${server.address().port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => server.close(() => store.close()));
}
