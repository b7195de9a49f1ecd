import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import {
  IsAuthenticated,
  obtainTokenView,
  PasswordHasher,
  settingsFromEnv,
  systemClock,
  TokenAuthentication,
} from 'tessera-auth';
import { errorHandler, mountView, protect } from 'tessera-auth/hono';
import { openSqliteStore } from 'tessera-auth/sqlite';

// HOST, PORT and TESSERA_* as for `tessera serve`; the database is the one `npx tessera` uses.
const settings = settingsFromEnv();
const store = openSqliteStore({ filename: 'tessera.sqlite3' });
await store.migrate();
const tokenAuthentication = new TokenAuthentication({ store, keywords: settings.keywords });
const passwords = new PasswordHasher({ iterations: settings.passwordIterations });

const app = new Hono();

// The seed's BuildTrigger: token authentication and IsAuthenticated; 200 with an empty body.
app.use(
  '/api/build-trigger/',
  protect({
    name: 'Build Trigger',
    authentication: [tokenAuthentication],
    permissions: [IsAuthenticated],
    methods: ['POST'],
  }),
);
app.post('/api/build-trigger/', (c) => c.body(null, 200));

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

app.onError(errorHandler());

const server = serve({ fetch: app.fetch, hostname: settings.host, port: settings.port }, (info) =>
  console.log(`listening on http://${settings.host}:${info.port}`),
);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => server.close(() => store.close()));
}
