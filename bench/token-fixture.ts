import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { generateKey, keyDigest, keyPreview } from '../src/core/tokens/key-format.js';

const USERS = 1000;
const CREATED = '2026-01-01 00:00:00.000000';

/**
 * Fills a migrated tessera SQLite database with `tokens` tokens over 1,000 users, directly (setup
 * speed only; measured paths go through the store), and returns `sampleSize` valid keys spread
 * over the table. The other tokens get random digests: their keys are never needed.
 */
export function seedTokens(
  filename: string,
  tokens: number,
  sampleSize: number,
  /** The sample's keys, when the same ones are wanted in several stores; else made here. */
  sampleKeys?: readonly string[],
): string[] {
  const db = new Database(filename);
  const addUser = db.prepare(
    `INSERT INTO auth_user (password, last_login, is_superuser, username, last_name, email,
       is_staff, is_active, date_joined, first_name) VALUES ('!', NULL, 0, ?, '', '', 0, 1, ?, '')`,
  );
  const addToken = db.prepare(
    `INSERT INTO tessera_token (user_id, kind, name, digest, preview, scopes, created)
     VALUES (?, 'named', ?, ?, ?, '["*"]', ?)`,
  );
  const every = Math.max(1, Math.floor(tokens / sampleSize));
  const sample: string[] = [];
  const rows: { digest: string; preview: string }[] = [];
  const random = randomBytes(32 * tokens);
  for (let i = 0; i < tokens; i++) {
    if (i % every === 0 && sample.length < sampleSize) {
      const key = sampleKeys?.[sample.length] ?? generateKey();
      sample.push(key);
      rows.push({ digest: keyDigest(key), preview: keyPreview(key) });
    } else {
      rows.push({ digest: random.toString('hex', i * 32, i * 32 + 32), preview: 'tsr_xxxx' });
    }
  }
  // In digest order the unique index only ever appends: a million random inserts took 25 s here.
  rows.sort((a, b) => (a.digest < b.digest ? -1 : 1));
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.transaction(() => {
    for (let u = 1; u <= USERS; u++) addUser.run(`user${u}`, CREATED);
    // Users in blocks and zero-padded names keep the (user_id, name) index appending too.
    for (const [i, row] of rows.entries()) {
      const user = Math.floor((i * USERS) / tokens) + 1;
      addToken.run(user, `token${String(i).padStart(7, '0')}`, row.digest, row.preview, CREATED);
    }
  })();
  db.close();
  return sample;
}
