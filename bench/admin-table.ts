// Benchmark: the admin page's token table at 1,000,000 tokens on SQLite. Prints milliseconds for
// the first page, a deep page (the oldest tokens) and the filter by user (a user holding half the
// table, and one holding 500 tokens), each as the store's page query alone and as the whole
// signed-in GET of /admin/ through the reference server (in-process, no socket).
// Run: npm run bench:admin-table   (about 30 s; BENCH_TOKENS, BENCH_ROUNDS)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import {
  DEFAULT_SETTINGS,
  settingsOwnedBy,
  type TesseraSettings,
} from '../src/core/config/settings.js';
import { PasswordHasher } from '../src/core/passwords/index.js';
import { createTessera } from '../src/core/tessera.js';
import { systemClock } from '../src/core/time/clock.js';
import { createUser } from '../src/core/users/users.js';
import { buildServer } from '../src/server/app.js';
import { openSqliteStore } from '../src/stores/sqlite/index.js';
import { median } from './interleaved-load.js';

const TOKENS = Number(process.env.BENCH_TOKENS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const LIGHT_USERS = 1000;
const CREATED = '2026-01-01 00:00:00.000000';
const PASSWORD = 'bench password 1';

/**
 * Fills the migrated database at `filename` in one transaction: every other token belongs to
 * `heavy`, the rest go round `LIGHT_USERS` users. Random digests, inserted in digest order so
 * the unique index only appends (random order is many times slower at this size).
 */
function fill(filename: string): void {
  const db = new Database(filename);
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const addUser = db.prepare(
    `INSERT INTO auth_user (password, last_login, is_superuser, username, last_name, email,
       is_staff, is_active, date_joined, first_name) VALUES ('!', NULL, 0, ?, '', '', 0, 1, ?, '')`,
  );
  const addToken = db.prepare(
    `INSERT INTO tessera_token (user_id, kind, name, digest, preview, scopes, created)
     VALUES (?, 'named', ?, ?, 'tsr_xxxx', '["*"]', ?)`,
  );
  const random = randomBytes(32 * TOKENS);
  const digests = Array.from({ length: TOKENS }, (_, i) =>
    random.toString('hex', i * 32, i * 32 + 32),
  ).sort();
  db.transaction(() => {
    const heavy = Number(addUser.run('heavy', CREATED).lastInsertRowid);
    const light: number[] = [];
    for (let u = 1; u <= LIGHT_USERS; u++) {
      light.push(Number(addUser.run(`user${u}`, CREATED).lastInsertRowid));
    }
    for (const [i, digest] of digests.entries()) {
      const user = i % 2 === 0 ? heavy : (light[(i >> 1) % LIGHT_USERS] as number);
      addToken.run(user, `token${String(i).padStart(7, '0')}`, digest, CREATED);
    }
  })();
  db.close();
}

/** Milliseconds of one call of `work`, and the median of `ROUNDS` more. */
async function time(work: () => Promise<unknown>): Promise<{ first: number; median: number }> {
  let start = performance.now();
  await work();
  const first = performance.now() - start;
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return { first, median: median(times) };
}

/** Signs `staff` in through the page's form; returns the cookie header a browser would send. */
async function signIn(app: FastifyInstance): Promise<string> {
  const form = await app.inject({ method: 'GET', url: '/admin/' });
  const anon = form.cookies.find((cookie) => cookie.name === 'tessera_admin_csrf')?.value ?? '';
  const csrf = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const posted = await app.inject({
    method: 'POST',
    url: '/admin/sign-in/',
    headers: {
      cookie: `tessera_admin_csrf=${anon}`,
      origin: 'http://localhost:80',
      host: 'localhost:80',
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: new URLSearchParams({
      csrfmiddlewaretoken: csrf,
      username: 'staff',
      password: PASSWORD,
    }).toString(),
  });
  const session = posted.cookies.find((cookie) => cookie.name === 'tessera_admin_session');
  if (posted.statusCode !== 303 || !session) {
    throw new Error(`sign-in failed (${posted.statusCode}): ${posted.body}`);
  }
  return `tessera_admin_session=${session.value}`;
}

async function main(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-admin-table-'));
  const filename = join(directory, 'tessera.sqlite3');
  try {
    const setup = openSqliteStore({ filename });
    await setup.migrate();
    await setup.close();
    const start = performance.now();
    fill(filename);
    console.log(
      `filled ${TOKENS.toLocaleString('en')} tokens in ${Math.round(performance.now() - start)} ms`,
    );

    const store = openSqliteStore({ filename });
    const passwords = new PasswordHasher({ iterations: 1000 });
    await createUser(store, passwords, systemClock, {
      username: 'staff',
      isStaff: true,
      password: PASSWORD,
    });
    const settings: TesseraSettings = { ...DEFAULT_SETTINGS, passwordIterations: 1000 };
    const tessera = createTessera({
      store,
      settings: settingsOwnedBy('library', settings),
      passwords,
    });
    const app = await buildServer({ store, settings, logger: false, passwords, tessera });
    const cookie = await signIn(app);
    const admin = store.admin?.();
    if (!admin) throw new Error('the SQLite store has no admin store');
    const heavy = await store.getUserByUsername('heavy');
    const light = await store.getUserByUsername('user500');
    if (!heavy || !light) throw new Error('the fill made no users');
    const newest = (await admin.tokenPage({ limit: 1 })).rows[0]?.token.id ?? 0;
    // The oldest page: 50 tokens after the first ones inserted.
    const deep = 51;
    const heavyDeep = (await admin.tokenPage({ limit: 1, userId: heavy.id, beforeId: 200 })).rows[0]
      ?.token.id;

    const cases: { label: string; query: Parameters<typeof admin.tokenPage>[0]; url: string }[] = [
      { label: 'first page', query: { limit: 50 }, url: '/admin/' },
      {
        label: `deep page (before id ${deep}, the oldest)`,
        query: { limit: 50, beforeId: deep },
        url: `/admin/?before=${deep}`,
      },
      {
        label: `middle page (before id ${newest >> 1})`,
        query: { limit: 50, beforeId: newest >> 1 },
        url: `/admin/?before=${newest >> 1}`,
      },
      {
        label: `filter by user "heavy" (${(TOKENS / 2).toLocaleString('en')} tokens), first page`,
        query: { limit: 50, userId: heavy.id },
        url: '/admin/?user=heavy',
      },
      {
        label: 'filter by user "heavy", its oldest page',
        query: { limit: 50, userId: heavy.id, beforeId: heavyDeep ?? 200 },
        url: `/admin/?user=heavy&before=${heavyDeep ?? 200}`,
      },
      {
        label: `filter by user "user500" (${Math.round(TOKENS / 2 / LIGHT_USERS)} tokens), first page`,
        query: { limit: 50, userId: light.id },
        url: '/admin/?user=user500',
      },
      {
        label: 'filter by an unknown user',
        query: { limit: 50, userId: -1 },
        url: '/admin/?user=nobody',
      },
    ];
    console.log(`median of ${ROUNDS} after a first call; ms`);
    console.log('case | query first | query median | GET /admin/ first | GET median | rows');
    for (const { label, query, url } of cases) {
      const rows = (await admin.tokenPage(query)).rows.length;
      const queried = await time(() => admin.tokenPage(query));
      const served = await time(async () => {
        const response = await app.inject({ method: 'GET', url, headers: { cookie } });
        if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode}`);
      });
      const ms = (value: number) => value.toFixed(2);
      console.log(
        `${label} | ${ms(queried.first)} | ${ms(queried.median)} | ${ms(served.first)} | ${ms(served.median)} | ${rows}`,
      );
    }
    await app.close();
    await store.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
