import { createServer } from 'node:http';
import {
  defineView,
  IsAuthenticated,
  obtainTokenView,
  PasswordHasher,
  settingsFromEnv,
  systemClock,
  TokenAuthentication,
} from 'tessera-auth';
import { viewListener } from 'tessera-auth/node';
import { openSqliteStore } from 'tessera-auth/sqlite';

// HOST, PORT and TESSERA_* as for `tessera serve`; the database is the one `npx tessera` uses.
const settings = settingsFromEnv();
const store = openSqliteStore({ filename: 'tessera.sqlite3' });
await store.migrate();
const tokenAuthentication = new TokenAuthentication({ store, keywords: settings.keywords });
const passwords = new PasswordHasher({ iterations: settings.passwordIterations });

// The seed's BuildTrigger: token authentication and IsAuthenticated; 200 with an empty body.
const buildTrigger = defineView({
  name: 'Build Trigger',
  authentication: [tokenAuthentication],
  permissions: [IsAuthenticated],
  post: () => {},
});

// DRF's obtain_auth_token, parsing form, multipart or JSON bodies as DRF does.
const obtainToken = obtainTokenView({
  store,
  passwords,
  clock: systemClock,
  loginTokenLimit: settings.loginTokenLimit,
});

const server = createServer(
  viewListener(
    { '/api/build-trigger/': buildTrigger, '/api-token-auth/': obtainToken },
    { maxBodyBytes: settings.maxBodyBytes },
  ),
);
server.listen(settings.port, settings.host, () => {
  console.log(`listening on http://${settings.host}:${server.address().port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => server.close(() => store.close()));
}
