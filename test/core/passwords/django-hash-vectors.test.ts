import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PasswordHasher } from '../../../src/core/passwords/index.js';

interface DjangoHashVector {
  password: string;
  hasher: string;
  encoded: string;
}

// Hashes made by Django 3.2 with their passwords, copied into the repository unchanged so a
// clone holds everything its tests read.
const vectors: DjangoHashVector[] = JSON.parse(
  readFileSync(fileURLToPath(new URL('django-hash-vectors.json', import.meta.url)), 'utf8'),
);

// Configured at the vectors' count, so only pbkdf2_sha256 counts as up to date.
const hasher = new PasswordHasher({ iterations: 260000 });

describe('hashes made by Django', () => {
  test('cover every default hasher', () => {
    const hashers = new Set(vectors.map((vector) => vector.hasher));
    assert.deepEqual([...hashers].sort(), [
      'argon2',
      'bcrypt_sha256',
      'pbkdf2_sha1',
      'pbkdf2_sha256',
    ]);
  });

  for (const { password, hasher: name, encoded } of vectors) {
    const label = `${name} of ${JSON.stringify(password.slice(0, 12))} (${password.length} chars)`;

    test(`${label} verifies, asking for a re-hash only when not pbkdf2_sha256`, async () => {
      assert.deepEqual(await hasher.check(password, encoded), {
        valid: true,
        needsRehash: name !== 'pbkdf2_sha256',
      });
    });

    test(`${label} rejects a wrong password`, async () => {
      assert.deepEqual(await hasher.check(`${password}x`, encoded), {
        valid: false,
        needsRehash: false,
      });
    });
  }

  test('the UTF-8 password is not normalised: its NFD form does not verify', async () => {
    const vector = vectors.find(
      (v) => v.password.startsWith('p\u00e4') && v.hasher === 'pbkdf2_sha256',
    );
    assert.ok(vector);
    const decomposed = vector.password.normalize('NFD');
    assert.notEqual(decomposed, vector.password);
    assert.equal((await hasher.check(decomposed, vector.encoded)).valid, false);
  });
});
