import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import argon2 from 'argon2';
import bcrypt from 'bcryptjs';
import {
  encodePbkdf2,
  nodePbkdf2,
  PBKDF2_SHA1,
  type Pbkdf2Function,
} from '../../../src/core/passwords/django-pbkdf2.js';
import {
  OptionalPackageError,
  PasswordHasher,
  type PasswordHasherDependencies,
} from '../../../src/core/passwords/index.js';

const ITERATIONS = 1000;
const SALT = 'abcdefghijklmnopqrstuv';

/** The real pbkdf2, recording the iteration count of each call and the most calls at once. */
function countingPbkdf2() {
  const record = { iterations: [] as number[], inFlight: 0, maxInFlight: 0 };
  const pbkdf2: Pbkdf2Function = async (password, salt, iterations, keyLength, digest) => {
    record.iterations.push(iterations);
    record.inFlight++;
    record.maxInFlight = Math.max(record.maxInFlight, record.inFlight);
    try {
      return await nodePbkdf2(password, salt, iterations, keyLength, digest);
    } finally {
      record.inFlight--;
    }
  };
  return { pbkdf2, record };
}

function hasherWith(iterations: number, dependencies: PasswordHasherDependencies = {}) {
  return new PasswordHasher({ iterations }, dependencies);
}

async function djangoArgon2(password: string): Promise<string> {
  const phc = await argon2.hash(password, {
    type: argon2.argon2id,
    memoryCost: 1024,
    timeCost: 1,
    parallelism: 1,
  });
  // Django's argon2-cffi writes the costs as m,t,p; the package writes m,p,t.
  return `argon2${phc.replace(/m=(\d+),p=(\d+),t=(\d+)/, 'm=$1,t=$3,p=$2')}`;
}

async function djangoBcryptSha256(password: string): Promise<string> {
  const hex = createHash('sha256').update(password, 'utf8').digest('hex');
  return `bcrypt_sha256$${await bcrypt.hash(hex, 4)}`;
}

describe('PasswordHasher.hash', () => {
  test('makes pbkdf2_sha256 at the configured count with a fresh 22-character salt', async () => {
    const hasher = hasherWith(ITERATIONS);
    const first = await hasher.hash('correct horse');
    const second = await hasher.hash('correct horse');
    assert.match(first, /^pbkdf2_sha256\$1000\$[a-zA-Z0-9]{22}\$[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(first, second);
    assert.deepEqual(await hasher.check('correct horse', first), {
      valid: true,
      needsRehash: false,
    });
  });

  test('defaults to Django 5.2 settings: 1,000,000 iterations, 2 at once', () => {
    const hasher = new PasswordHasher();
    assert.equal(hasher.iterations, 1_000_000);
    assert.equal(hasher.limit.maxActive, 2);
  });

  test('refuses impossible settings', () => {
    assert.throws(() => new PasswordHasher({ iterations: 0 }), RangeError);
    assert.throws(() => new PasswordHasher({ concurrency: 0 }), RangeError);
  });

  test('refuses a password Python could not encode, without echoing it', async () => {
    await assert.rejects(hasherWith(ITERATIONS).hash('abc\ud800'), (error: Error) => {
      assert.ok(error instanceof TypeError);
      assert.ok(!error.message.includes('abc'));
      return true;
    });
  });

  test('unusable() gives a value no password matches', async () => {
    const hasher = hasherWith(ITERATIONS);
    const unusable = hasher.unusable();
    assert.match(unusable, /^![a-zA-Z0-9]{40}$/);
    assert.deepEqual(await hasher.check(unusable, unusable), { valid: false, needsRehash: false });
  });
});

describe('PasswordHasher.check: needsRehash', () => {
  test('false when pbkdf2_sha256, the configured count and a 128-bit salt', async () => {
    const encoded = await encodePbkdf2('pw', SALT, ITERATIONS);
    assert.deepEqual(await hasherWith(ITERATIONS).check('pw', encoded), {
      valid: true,
      needsRehash: false,
    });
  });

  test('true when the stored count is lower or higher than the configured one', async () => {
    const encoded = await encodePbkdf2('pw', SALT, ITERATIONS);
    assert.deepEqual(await hasherWith(2000).check('pw', encoded), {
      valid: true,
      needsRehash: true,
    });
    assert.deepEqual(await hasherWith(500).check('pw', encoded), {
      valid: true,
      needsRehash: true,
    });
  });

  test('true when the salt carries fewer than 128 bits', async () => {
    const encoded = await encodePbkdf2('pw', 'seasalt', ITERATIONS);
    assert.deepEqual(await hasherWith(ITERATIONS).check('pw', encoded), {
      valid: true,
      needsRehash: true,
    });
  });

  test('true for every hasher other than pbkdf2_sha256', async () => {
    const hasher = hasherWith(ITERATIONS);
    const others = [
      await encodePbkdf2('pw', SALT, ITERATIONS, PBKDF2_SHA1),
      await djangoArgon2('pw'),
      await djangoBcryptSha256('pw'),
    ];
    for (const encoded of others) {
      assert.deepEqual(
        await hasher.check('pw', encoded),
        { valid: true, needsRehash: true },
        encoded,
      );
      assert.deepEqual(await hasher.check('pW', encoded), { valid: false, needsRehash: false });
    }
  });

  test('false on an invalid check, whatever the stored hash', async () => {
    const encoded = await encodePbkdf2('pw', 'seasalt', 500);
    assert.deepEqual(await hasherWith(ITERATIONS).check('wrong', encoded), {
      valid: false,
      needsRehash: false,
    });
  });
});

describe('PasswordHasher.check: timing protections (counted, not timed)', () => {
  test('a wrong password on an older, cheaper hash runs the missing iterations', async () => {
    const encoded = await encodePbkdf2('pw', SALT, 1000);
    const { pbkdf2, record } = countingPbkdf2();
    const result = await hasherWith(3000, { pbkdf2 }).check('wrong', encoded);
    assert.equal(result.valid, false);
    assert.deepEqual(record.iterations, [1000, 2000]);
  });

  test('no extra work when the password is right or the stored count is not lower', async () => {
    const { pbkdf2, record } = countingPbkdf2();
    const older = await encodePbkdf2('pw', SALT, 1000);
    assert.equal((await hasherWith(3000, { pbkdf2 }).check('pw', older)).valid, true);
    assert.deepEqual(record.iterations, [1000]);

    record.iterations.length = 0;
    const newer = await encodePbkdf2('pw', SALT, 3000);
    assert.equal((await hasherWith(1000, { pbkdf2 }).check('wrong', newer)).valid, false);
    assert.deepEqual(record.iterations, [3000]);
  });

  test('no hardening for a changed hasher (pbkdf2_sha1), as in Django', async () => {
    const { pbkdf2, record } = countingPbkdf2();
    const encoded = await encodePbkdf2('pw', SALT, 1000, PBKDF2_SHA1);
    assert.equal((await hasherWith(3000, { pbkdf2 }).check('wrong', encoded)).valid, false);
    assert.deepEqual(record.iterations, [1000]);
  });

  test('unusable, unknown and malformed values cost one hash at the configured count', async () => {
    for (const encoded of [
      '!abc',
      '',
      'crypt$$abN0vNhk9TUmE',
      'sha512$salt$hash',
      'pbkdf2_sha256$1000$salt',
      'pbkdf2_sha256$x$salt$hash',
      'pbkdf2_sha256$1000$$hash',
    ]) {
      const { pbkdf2, record } = countingPbkdf2();
      const result = await hasherWith(1234, { pbkdf2 }).check('pw', encoded);
      assert.deepEqual(result, { valid: false, needsRehash: false }, encoded);
      assert.deepEqual(record.iterations, [1234], encoded);
    }
  });

  test('a password with a lone surrogate is invalid after the same dummy work', async () => {
    const { pbkdf2, record } = countingPbkdf2();
    const encoded = await encodePbkdf2('\ufffd', SALT, ITERATIONS);
    const result = await hasherWith(ITERATIONS, { pbkdf2 }).check('\ud800', encoded);
    assert.deepEqual(result, { valid: false, needsRehash: false });
    assert.deepEqual(record.iterations, [ITERATIONS]);
  });

  test('checkUnknownUser runs one full hash and returns false', async () => {
    const { pbkdf2, record } = countingPbkdf2();
    assert.equal(await hasherWith(1234, { pbkdf2 }).checkUnknownUser('pw'), false);
    assert.deepEqual(record.iterations, [1234]);
  });
});

describe('PasswordHasher: concurrency', () => {
  test('20 concurrent checks never run more than 2 derivations at once', async () => {
    const encoded = await encodePbkdf2('pw', SALT, ITERATIONS);
    const { pbkdf2, record } = countingPbkdf2();
    const hasher = hasherWith(ITERATIONS, { pbkdf2 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => hasher.check(i % 2 === 0 ? 'pw' : 'wrong', encoded)),
    );
    assert.deepEqual(
      results.map((result) => result.valid),
      Array.from({ length: 20 }, (_, i) => i % 2 === 0),
    );
    assert.equal(record.iterations.length, 20);
    assert.equal(record.maxInFlight, 2);
    assert.equal(hasher.limit.active, 0);
  });

  test('the bound follows the concurrency option', async () => {
    const { pbkdf2, record } = countingPbkdf2();
    const hasher = new PasswordHasher({ iterations: ITERATIONS, concurrency: 3 }, { pbkdf2 });
    await Promise.all(Array.from({ length: 20 }, () => hasher.hash('pw')));
    assert.equal(record.maxInFlight, 3);
  });
});

describe('PasswordHasher: optional packages', () => {
  const moduleNotFound = (specifier: string) =>
    Promise.reject(
      Object.assign(new Error(`Cannot find package '${specifier}'`), {
        code: 'ERR_MODULE_NOT_FOUND',
      }),
    );

  test('are not loaded for pbkdf2 hashes', async () => {
    const loaded: string[] = [];
    const hasher = hasherWith(ITERATIONS, {
      loadModule: (specifier) => {
        loaded.push(specifier);
        return moduleNotFound(specifier);
      },
    });
    const encoded = await hasher.hash('pw');
    assert.equal((await hasher.check('pw', encoded)).valid, true);
    assert.deepEqual(loaded, []);
  });

  for (const [name, packageName, make] of [
    ['argon2', 'argon2', djangoArgon2],
    ['bcrypt_sha256', 'bcryptjs', djangoBcryptSha256],
  ] as const) {
    test(`a missing ${packageName} gives an error naming it, without the password`, async () => {
      const password = 'hunter2-secret';
      const encoded = await make(password);
      const hasher = hasherWith(ITERATIONS, { loadModule: moduleNotFound });
      await assert.rejects(hasher.check(password, encoded), (error: unknown) => {
        assert.ok(error instanceof OptionalPackageError);
        assert.equal(error.packageName, packageName);
        assert.match(error.message, new RegExp(`"${name}" password hash`));
        assert.match(error.message, new RegExp(`npm install ${packageName}$`));
        assert.ok(!JSON.stringify({ ...error, message: error.message }).includes(password));
        return true;
      });
    });
  }

  test('a package without the needed function is reported too', async () => {
    const hasher = hasherWith(ITERATIONS, { loadModule: async () => ({ default: {} }) });
    await assert.rejects(hasher.check('pw', await djangoArgon2('pw')), /has no "verify" export/);
  });

  test('a CommonJS default export is accepted', async () => {
    const hasher = hasherWith(ITERATIONS, {
      loadModule: async () => ({ default: { verify: argon2.verify } }),
    });
    assert.equal((await hasher.check('pw', await djangoArgon2('pw'))).valid, true);
  });

  test('a malformed argon2 or bcrypt_sha256 value is invalid, not an error', async () => {
    const hasher = hasherWith(ITERATIONS);
    for (const encoded of [
      'argon2$argon2id$nonsense',
      'argon2',
      'bcrypt_sha256$$2b$xx',
      'bcrypt_sha256',
    ]) {
      assert.deepEqual(
        await hasher.check('pw', encoded),
        { valid: false, needsRehash: false },
        encoded,
      );
    }
  });
});
