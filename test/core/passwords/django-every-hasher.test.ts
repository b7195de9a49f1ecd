import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { WRITABLE_HASHERS } from '../../../src/core/passwords/django-hasher-names.js';
import { PasswordHasher } from '../../../src/core/passwords/index.js';
import { checkWithDjango, type DjangoVector, makeDjangoHashes } from './django-python.js';

// Django 3.2's PBKDF2 default, so tessera's pbkdf2 hashes are ones Django 3.2 keeps as they are.
const DJANGO_32_ITERATIONS = 260_000;

// ASCII; non-ASCII with a `$`; and one past bcrypt's 72 bytes, where plain bcrypt truncates.
const PASSWORDS = ['s3cret-pass', 'pässwörd ✓ 密码 $', `${'x'.repeat(72)}-tail`];

const EVERY_HASHER = [
  'argon2',
  'bcrypt',
  'bcrypt_sha256',
  'md5',
  'pbkdf2_sha1',
  'pbkdf2_sha256',
  'scrypt',
  'sha1',
  'unsalted_md5',
  'unsalted_sha1',
];

function hasherFor(algorithm: (typeof WRITABLE_HASHERS)[number]) {
  return new PasswordHasher({ algorithm, iterations: DJANGO_32_ITERATIONS, concurrency: 2 });
}

let vectors: DjangoVector[] = [];

describe('every hasher Django 3.2-5.2 ships, against the real Django 3.2', () => {
  before(() => {
    const made = makeDjangoHashes(PASSWORDS);
    assert.match(made.django, /^3\.2\./);
    vectors = made.answer;
  });

  test('the vectors cover every hasher, and argon2i with and without a version', () => {
    assert.deepEqual([...new Set(vectors.map((v) => v.hasher))].sort(), EVERY_HASHER);
    const encoded = vectors.map((v) => v.encoded);
    assert.ok(encoded.some((e) => e.startsWith('argon2$argon2i$v=19$')));
    assert.ok(encoded.some((e) => e.startsWith('argon2$argon2i$m=')));
    assert.ok(encoded.some((e) => /^[0-9a-f]{32}$/.test(e)));
    assert.ok(encoded.some((e) => e.startsWith('md5$$')));
    assert.ok(encoded.some((e) => /^scrypt\$16384\$[^$]+\$8\$5\$/.test(e)));
    assert.ok(encoded.some((e) => /^scrypt\$16384\$[^$]+\$8\$1\$/.test(e)));
  });

  test('each verifies in tessera; a wrong password does not', async () => {
    const hasher = hasherFor('pbkdf2_sha256');
    for (const { password, hasher: name, encoded } of vectors) {
      const right = await hasher.check(password, encoded);
      assert.deepEqual(
        right,
        // Configured as Django 3.2 is, only its own pbkdf2_sha256 hashes are up to date.
        { valid: true, needsRehash: name !== 'pbkdf2_sha256' },
        `${name}: ${encoded}`,
      );
      const wrong = await hasher.check(`${password}!`, encoded);
      // Plain bcrypt reads 72 bytes, so past them any ending matches, in Django too.
      const truncated = name === 'bcrypt' && Buffer.byteLength(password) > 72;
      assert.equal(wrong.valid, truncated, `${name} wrong password: ${encoded}`);
    }
  });

  test("a hasher's own Django-made hashes need no rehash when it is the configured one", async () => {
    for (const algorithm of ['argon2', 'bcrypt_sha256', 'pbkdf2_sha1', 'scrypt'] as const) {
      const hasher = hasherFor(algorithm);
      for (const { password, hasher: name, encoded } of vectors.filter(
        (v) => v.hasher === algorithm,
      )) {
        // Only what Django 3.2 (or 5.2, for scrypt) writes today is current: argon2i and
        // Django 4.0-5.0's scrypt p=1 are rewritten, as Django 5.2 would.
        const current = !encoded.startsWith('argon2$argon2i$') && !encoded.includes('$8$1$');
        assert.deepEqual(
          await hasher.check(password, encoded),
          { valid: true, needsRehash: !current },
          `${name} configured: ${encoded}`,
        );
      }
    }
  });

  test('the UTF-8 password is not normalised: its NFD form verifies nowhere', async () => {
    const hasher = hasherFor('pbkdf2_sha256');
    const nfd = PASSWORDS[1]?.normalize('NFD') as string;
    assert.notEqual(nfd, PASSWORDS[1]);
    for (const { password, encoded } of vectors.filter((v) => v.password === PASSWORDS[1])) {
      assert.equal(password.normalize('NFD'), nfd);
      assert.equal((await hasher.check(nfd, encoded)).valid, false, encoded);
    }
  });

  test('hashes tessera writes with each writable hasher verify in Django (3.2; scrypt as 4.0-5.2)', async () => {
    const items: { password: string; encoded: string; algorithm: string }[] = [];
    for (const algorithm of WRITABLE_HASHERS) {
      const hasher = hasherFor(algorithm);
      for (const password of PASSWORDS.slice(0, 2)) {
        const encoded = await hasher.hash(password);
        assert.ok(encoded.startsWith(`${algorithm}$`), encoded);
        assert.deepEqual(await hasher.check(password, encoded), {
          valid: true,
          needsRehash: false,
        });
        items.push({ password, encoded, algorithm });
        items.push({ password: `${password}!`, encoded, algorithm });
      }
    }
    const { answer } = checkWithDjango(
      items.map(({ password, encoded }) => ({ password, encoded })),
    );
    answer.forEach((django, i) => {
      const item = items[i] as (typeof items)[number];
      const right = i % 2 === 0;
      assert.equal(django.valid, right, `${item.algorithm}: ${item.encoded}`);
      // Django 3.2 keeps them as they are: same parameters, same iterations, a 128-bit salt.
      if (right && item.algorithm !== 'scrypt') {
        assert.equal(django.mustUpdate, false, `${item.algorithm} must_update: ${item.encoded}`);
      }
    });
    assert.deepEqual(
      [...new Set(items.map((item) => item.algorithm))].sort(),
      [...WRITABLE_HASHERS].sort(),
    );
  });
});
