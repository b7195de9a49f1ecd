import Fastify from 'fastify';
import {
  IsAuthenticated,
  obtainTokenView,
  PasswordHasher,
  settingsFromEnv,
  systemClock,
} from 'tessera-auth';
import { mountView, tessera } from 'tessera-auth/fastify';
import { openSqliteStore } from 'tessera-auth/sqlite';

// HOST, PORT and TESSERA_* as for `tessera serve`; the database is the one `npx tessera` uses.
const settings = settingsFromEnv();
const store = openSqliteStore({ filename: 'tessera.sqlite3' });
await store.migrate();
const passwords = new PasswordHasher({ iterations: settings.passwordIterations });

const app = Fastify({ logger: { level: 'warn' } });
// request.user and request.auth, and DRF's checks for routes declaring `config.tessera`.
await app.register(tessera, { store, keywords: settings.keywords });

// The seed's BuildTrigger: token authentication and IsAuthenticated; 200 with an empty body.
app.post(
  '/api/build-trigger/',
  { config: { tessera: { name: 'Build Trigger', permissions: [IsAuthenticated] } } },
  async (_request, reply) => reply.code(200).send(),
);

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
app.addHook('onClose', () => store.close());

const url = await app.listen({ host: settings.host, port: settings.port });
console.log(`listening on ${url}`);
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => app.close());
