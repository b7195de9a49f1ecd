import express from 'express';
import {
  createTessera,
  IsAuthenticated,
  openStore,
  settingsFromEnv,
  settingsOwnedBy,
} from 'tessera-auth';
import { errorHandler, mountView, protect } from 'tessera-auth/express';

// DATABASE_URL, HOST, PORT and TESSERA_* as for `tessera serve` (default ./tessera.sqlite3).
const settings = settingsFromEnv();
const store = await openStore(settings.databaseUrl, settingsOwnedBy('store', settings));
await store.migrate();
// Token authentication with its limits, events and last-used records, and DRF's views.
const tessera = createTessera({ store, settings: settingsOwnedBy('library', settings) });

const app = express();
// DRF's paths are exact: `/api/build-trigger` (no slash) and `/API/…` are not the route.
app.set('strict routing', true);
app.set('case sensitive routing', true);

// The seed's BuildTrigger: the tessera's token authentication (with its key-guessing limit) and
// IsAuthenticated; 200 with an empty body. The user is `req.tessera.user` (passport keeps `req.user`).
app
  .route('/api/build-trigger/')
  .all(
    protect({ tessera, name: 'Build Trigger', permissions: [IsAuthenticated], methods: ['POST'] }),
  )
  .post((req, res) => {
    console.log(`build triggered by ${req.tessera.user.username}`);
    res.status(200).end();
  });

// DRF's obtain_auth_token, parsing form, multipart or JSON bodies as DRF does (after
// `app.use(express.json())`, the body it parsed is taken as it is).
mountView(app, '/api-token-auth/', tessera.views.obtainToken, { tessera });

app.use(errorHandler());

const server = app.listen(settings.port, settings.host, () => {
  console.log(`listening on http://${settings.host}:${server.address().port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => server.close(() => tessera.close().then(() => store.close())));
}
