import Fastify from 'fastify';
import {
  createTessera,
  IsAuthenticated,
  openStore,
  settingsFromEnv,
  settingsOwnedBy,
} from 'tessera-auth';
import { mountView, tessera as tesseraPlugin } from 'tessera-auth/fastify';

// DATABASE_URL, HOST, PORT and TESSERA_* as for `tessera serve` (default ./tessera.sqlite3).
const settings = settingsFromEnv();
const store = await openStore(settings.databaseUrl, settingsOwnedBy('store', settings));
await store.migrate();
// Token authentication with its limits, events and last-used records, and DRF's views.
const tessera = createTessera({ store, settings: settingsOwnedBy('library', settings) });

const app = Fastify({ logger: { level: 'warn' } });
// request.user and request.auth, and DRF's checks for routes declaring `config.tessera`, with
// the tessera's token authentication (key-guessing limit, cache, events) by default.
await app.register(tesseraPlugin, { tessera });

// The seed's BuildTrigger: token authentication and IsAuthenticated; 200 with an empty body.
app.post(
  '/api/build-trigger/',
  { config: { tessera: { name: 'Build Trigger', permissions: [IsAuthenticated] } } },
  async (request, reply) => {
    request.log.info(`build triggered by ${request.user.username}`);
    return reply.code(200).send();
  },
);

// DRF's obtain_auth_token, parsing form, multipart or JSON bodies as DRF does.
mountView(app, '/api-token-auth/', tessera.views.obtainToken, { tessera });
app.addHook('onClose', () => tessera.close().then(() => store.close()));

const url = await app.listen({ host: settings.host, port: settings.port });
console.log(`listening on ${url}`);
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => app.close());
