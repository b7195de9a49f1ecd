import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import {
  createTessera,
  IsAuthenticated,
  openStore,
  settingsFromEnv,
  settingsOwnedBy,
} from 'tessera-auth';
import { errorHandler, mountView, protect } from 'tessera-auth/hono';

// DATABASE_URL, HOST, PORT and TESSERA_* as for `tessera serve` (default ./tessera.sqlite3).
const settings = settingsFromEnv();
const store = await openStore(settings.databaseUrl, settingsOwnedBy('store', settings));
await store.migrate();
// Token authentication with its limits, events and last-used records, and DRF's views.
const tessera = createTessera({ store, settings: settingsOwnedBy('library', settings) });

const app = new Hono();

// The seed's BuildTrigger: the tessera's token authentication (with its key-guessing limit) and
// IsAuthenticated; 200 with an empty body. In TypeScript, `new Hono<TesseraEnv>()` types c.get('user').
app.use(
  '/api/build-trigger/',
  protect({ tessera, name: 'Build Trigger', permissions: [IsAuthenticated], methods: ['POST'] }),
);
app.post('/api/build-trigger/', (c) => {
  console.log(`build triggered by ${c.get('user').username}`);
  return c.body(null, 200);
});

// DRF's obtain_auth_token, parsing form, multipart or JSON bodies as DRF does.
mountView(app, '/api-token-auth/', tessera.views.obtainToken, { tessera });

app.onError(errorHandler());

const server = serve({ fetch: app.fetch, hostname: settings.host, port: settings.port }, (info) =>
  console.log(`listening on http://${settings.host}:${info.port}`),
);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => server.close(() => tessera.close().then(() => store.close())));
}
