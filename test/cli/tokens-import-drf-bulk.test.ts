import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { FreshDatabases } from '../stores/fresh-database.js';
import {
  DRF_AUTHTOKEN_DDL,
  type DrfTestKind,
  openRaw,
  type RawConnection,
} from './drf-authtoken-table.js';
import { CliSandbox } from './run-cli.js';

// Ten batches of the import's 1,000 rows: every batch boundary is crossed. Times are reported,
// not asserted (the machine is shared).
const ROWS = 10_000;
const CHUNK = 500;

for (const kind of ['sqlite', 'postgres', 'mysql'] as const satisfies readonly DrfTestKind[]) {
  describe(`tessera tokens import-drf on ${ROWS} DRF rows (${kind})`, () => {
    const sandbox = new CliSandbox();
    const servers = kind === 'sqlite' ? undefined : new FreshDatabases(kind);
    let url = '';
    let raw: RawConnection;

    before(async () => {
      if (servers) {
        url = (await servers.create({ migrated: true })).url;
      } else {
        url = sandbox.databaseUrl;
        assert.equal(sandbox.run(['migrate']).status, 0);
      }
      raw = await openRaw(kind, url);
      for (const statement of DRF_AUTHTOKEN_DDL[kind]) await raw.query(statement);
      const no = kind === 'postgres' ? false : 0;
      const now = kind === 'postgres' ? '2024-01-01 00:00:00+00' : '2024-01-01 00:00:00';
      for (let start = 0; start < ROWS; start += CHUNK) {
        const users = Array.from({ length: CHUNK }, (_, i) => [
          '!unusable',
          no,
          `bulk${start + i}`,
          '',
          '',
          no,
          // Every tenth user inactive: imported all the same.
          (start + i) % 10 === 0 ? no : kind === 'postgres' ? true : 1,
          now,
          '',
        ]);
        await raw.query(
          `INSERT INTO auth_user (password, is_superuser, username, last_name, email, is_staff,
             is_active, date_joined, first_name) VALUES ${users.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          users.flat(),
        );
      }
      const ids = (await raw.query('SELECT id FROM auth_user')).map((row) => Number(row.id));
      assert.equal(ids.length, ROWS);
      const column = kind === 'mysql' ? '`key`' : '"key"';
      for (let start = 0; start < ROWS; start += CHUNK) {
        const rows = ids
          .slice(start, start + CHUNK)
          .map((id) => [randomBytes(20).toString('hex'), now, id]);
        await raw.query(
          `INSERT INTO authtoken_token (${column}, created, user_id) VALUES ${rows.map(() => '(?, ?, ?)').join(', ')}`,
          rows.flat(),
        );
      }
    });
    after(async () => {
      await raw?.close();
      sandbox.cleanup();
      await servers?.dropAll();
    });

    const run = (...args: string[]) => {
      const started = performance.now();
      const result = sandbox.run(['tokens', 'import-drf', ...args], { env: { DATABASE_URL: url } });
      return { ...result, ms: Math.round(performance.now() - started) };
    };
    const count = async (table: string) =>
      Number((await raw.query(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n);

    test('imports every row, then nothing, then deletes every plaintext row', async (t) => {
      const first = run();
      assert.equal(first.status, 0, first.stderr);
      assert.equal(first.stdout, `Imported ${ROWS} DRF token(s), skipped 0, removed 0.\n`);
      assert.equal(await count('tessera_token'), ROWS);
      t.diagnostic(`first import of ${ROWS} rows: ${first.ms} ms (the CLI's start included)`);

      const second = run();
      assert.equal(second.status, 0, second.stderr);
      assert.equal(
        second.stdout,
        `Imported 0 DRF token(s), skipped ${ROWS}, removed 0.\n` +
          `  ${ROWS} of the skipped were already imported\n`,
      );
      t.diagnostic(`second run over ${ROWS} rows: ${second.ms} ms`);

      const third = run('--delete-plaintext');
      assert.equal(third.status, 0, third.stderr);
      assert.equal(
        third.stdout,
        `Imported 0 DRF token(s), skipped ${ROWS}, removed 0.\n` +
          `  ${ROWS} of the skipped were already imported\n` +
          `  deleted ${ROWS} row(s) from authtoken_token\n`,
      );
      assert.equal(await count('authtoken_token'), 0);
      assert.equal(await count('tessera_token'), ROWS);
      t.diagnostic(`--delete-plaintext over ${ROWS} rows: ${third.ms} ms`);

      const fourth = run();
      assert.equal(fourth.stdout, 'Imported 0 DRF token(s), skipped 0, removed 0.\n');
      assert.equal(await count('tessera_token'), ROWS);
    });
  });
}
