import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

const TIERS = ['unit', 'db', 'package'] as const;

// The variables that name the test services: only a test that reaches one has a reason to read it.
const SERVICE_VARIABLES = /TESSERA_TEST_(POSTGRES|MYSQL|REDIS)_URL/;

function testFiles(dir = 'test'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** What `scripts/run-tests.mjs --list` prints: each kept test file and its tier. */
function listed(...args: string[]): Map<string, string> {
  const output = execFileSync(process.execPath, ['scripts/run-tests.mjs', '--list', ...args], {
    encoding: 'utf8',
  });
  const tiers = new Map<string, string>();
  for (const line of output.trim().split('\n')) {
    const [tier = '', file = ''] = line.split('\t');
    assert.ok(!tiers.has(file), `${file} is listed twice`);
    tiers.set(file, tier);
  }
  return tiers;
}

describe('test tiers (npm run test:unit, test:db, test:package)', () => {
  const all = listed();

  test('every test file under test/ is in exactly one tier', () => {
    // Listed and walked back to back: a test file written meanwhile would show up in one only.
    const everyFile = listed();
    assert.deepEqual([...everyFile.keys()].sort(), testFiles().sort());
    for (const [file, tier] of everyFile) {
      assert.ok((TIERS as readonly string[]).includes(tier), `${file}: tier ${tier}`);
    }
    const byTier = TIERS.map((tier) => [...listed('--tier', tier).keys()]);
    assert.deepEqual(byTier.flat().sort(), [...everyFile.keys()].sort());
    TIERS.forEach((tier, index) => {
      for (const file of byTier[index] ?? []) assert.equal(everyFile.get(file), tier, file);
    });
  });

  test('the rule puts service, package and plain tests where they belong', () => {
    assert.equal(all.get('test/stores/postgres.test.ts'), 'db');
    assert.equal(all.get('test/stores/mysql.test.ts'), 'db');
    assert.equal(all.get('test/stores/redis/redis-throttle-backend.test.ts'), 'db');
    assert.equal(all.get('test/stores/sqlite.test.ts'), 'unit');
    assert.equal(all.get('test/core/errors.test.ts'), 'unit');
    assert.equal(all.get('test/scripts/test-tiers.test.ts'), 'unit');
    for (const [file, tier] of all) {
      if (file.startsWith('test/package/') || file.startsWith('test/packaging/')) {
        assert.equal(tier, 'package', file);
      }
    }
  });

  test('no unit test reads the variables that name PostgreSQL, MariaDB or Redis', () => {
    const reading = [...all]
      .filter(
        ([file, tier]) => tier === 'unit' && SERVICE_VARIABLES.test(readFileSync(file, 'utf8')),
      )
      .map(([file]) => file);
    assert.deepEqual(reading, []);
  });

  test('an unknown tier is refused', () => {
    assert.throws(
      () =>
        execFileSync(process.execPath, ['scripts/run-tests.mjs', '--tier', 'slow', '--list'], {
          stdio: 'pipe',
        }),
      (error: { status?: number; stderr?: Buffer }) => {
        assert.equal(error.status, 2);
        assert.match(String(error.stderr), /--tier takes unit, db, package/);
        return true;
      },
    );
  });
});
