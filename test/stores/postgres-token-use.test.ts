import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type { Store } from '../../src/core/store.js';
import { createTessera, type Tessera } from '../../src/core/tessera.js';
import { ManualClock } from '../../src/core/time/clock.js';
import { issueDefaultToken } from '../../src/core/tokens/token-issuer.js';
import { openStore } from '../../src/stores/open-store.js';
import { FreshDatabases } from './fresh-database.js';

const databases = new FreshDatabases('postgres');
const clock = new ManualClock(Date.UTC(2026, 2, 1));
let store: Store;
let tessera: Tessera;
let observer: pg.Client;
let key = '';
let tokenId = 0;

before(async () => {
  const { url } = await databases.create({ migrated: true });
  store = await openStore(url);
  const user = await store.createUser({
    username: 'ann',
    password: '!',
    dateJoined: new Date(clock.now()),
  });
  ({
    key,
    token: { id: tokenId },
  } = await issueDefaultToken(store, user.id, clock));
  tessera = createTessera({ store, clock });
  observer = new pg.Client({ connectionString: url });
  await observer.connect();
});
after(async () => {
  await observer.end();
  await tessera.close();
  await store.close();
  await databases.dropAll();
});

// A row's xmin is the transaction that wrote its current version: it moves on every UPDATE.
async function rowVersion(): Promise<string> {
  const { rows } = await observer.query('SELECT xmin::text AS v FROM tessera_token WHERE id = $1', [
    tokenId,
  ]);
  return rows[0].v;
}

test('on PostgreSQL too, a token used twice within a minute is written once, off the request', async () => {
  const authenticate = () => tessera.tokenAuthentication.authenticateCredentials(key);
  const initial = await rowVersion();
  await authenticate();
  assert.equal(await rowVersion(), initial, 'the first use wrote on the request path');
  await tessera.usage.flush();
  const afterFirst = await rowVersion();
  assert.notEqual(afterFirst, initial, 'the batched last-used write did not happen');
  clock.advance(59_999);
  await authenticate();
  await tessera.usage.flush();
  assert.equal(await rowVersion(), afterFirst, 'a second use within a minute wrote');
  clock.advance(1);
  await authenticate();
  await tessera.usage.flush();
  assert.notEqual(await rowVersion(), afterFirst, 'a use a minute later was not recorded');
});
