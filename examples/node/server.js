import { createServer } from 'node:http';
import {
  createTessera,
  defineView,
  IsAuthenticated,
  openStore,
  settingsFromEnv,
  settingsOwnedBy,
} from 'tessera-auth';
import { viewListener } from 'tessera-auth/node';

// DATABASE_URL, HOST, PORT and TESSERA_* as for `tessera serve` (default ./tessera.sqlite3).
const settings = settingsFromEnv();
const store = await openStore(settings.databaseUrl, settingsOwnedBy('store', settings));
await store.migrate();
// Token authentication with its limits, events and last-used records, and DRF's views.
const tessera = createTessera({ store, settings: settingsOwnedBy('library', settings) });

// The seed's BuildTrigger: token authentication and IsAuthenticated; 200 with an empty body.
const buildTrigger = defineView({
  name: 'Build Trigger',
  authentication: [tessera.tokenAuthentication],
  permissions: [IsAuthenticated],
  post: () => {},
});

const server = createServer(
  viewListener(
    // DRF's obtain_auth_token parses form, multipart or JSON bodies as DRF does.
    { '/api/build-trigger/': buildTrigger, '/api-token-auth/': tessera.views.obtainToken },
    { tessera },
  ),
);
server.listen(settings.port, settings.host, () => {
  console.log(`listening on http://${settings.host}:${server.address().port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => server.close(() => tessera.close().then(() => store.close())));
}
