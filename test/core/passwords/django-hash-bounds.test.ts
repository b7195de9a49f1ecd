import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { encodePbkdf2, nodePbkdf2 } from '../../../src/core/passwords/django-pbkdf2.js';
import {
  encodeScrypt,
  nodeScrypt,
  type ScryptFunction,
} from '../../../src/core/passwords/django-scrypt.js';
import { PasswordHasher } from '../../../src/core/passwords/index.js';
import { DJANGO_INSTALL_COMMAND, runDjango } from './django-python.js';

const INVALID = { valid: false, needsRehash: false };
const SALT = 'abcdefghijklmnopqrstuv';
const B64 = 'A'.repeat(86);

/** The real scrypt, recording each call's N and the most calls at once. */
function countingScrypt() {
  const record = { workFactors: [] as number[], inFlight: 0, maxInFlight: 0 };
  const scrypt: ScryptFunction = async (password, salt, parameters) => {
    record.workFactors.push(parameters.workFactor);
    record.inFlight++;
    record.maxInFlight = Math.max(record.maxInFlight, record.inFlight);
    try {
      return await nodeScrypt(password, salt, parameters);
    } finally {
      record.inFlight--;
    }
  };
  return { scrypt, record };
}

// A stored hash is read from auth_user, which whoever can write that table controls: its
// parameters must cost at most a refusal, never gigabytes or hours.
describe('absurd parameters in a stored hash are refused unread', () => {
  const absurdScrypt = [
    `scrypt$1073741824$${SALT}$8$5$${B64}`, // N = 2^30: 128 GiB
    `scrypt$1048576$${SALT}$8$1$${B64}`, // N = 2^20: 1 GiB
    `scrypt$32768$${SALT}$8$1$${B64}`, // 32 MiB and a little: above OpenSSL's default bound too
    `scrypt$16384$${SALT}$1048576$1$${B64}`, // r = 2^20
    `scrypt$16384$${SALT}$8$1048576$${B64}`, // p = 2^20: hours of CPU
    `scrypt$16383$${SALT}$8$5$${B64}`, // N not a power of two
    `scrypt$1$${SALT}$8$5$${B64}`,
    `scrypt$99999999999999999999$${SALT}$8$5$${B64}`,
    `scrypt$16384$$8$5$${B64}`,
  ];
  const absurdArgon2 = [
    `argon2$argon2id$v=19$m=4294967295,t=2,p=8$${SALT}$${B64}`, // 4 TiB
    `argon2$argon2id$v=19$m=1048576,t=2,p=8$${SALT}$${B64}`, // 1 GiB
    `argon2$argon2id$v=19$m=102400,t=4294967295,p=8$${SALT}$${B64}`,
    `argon2$argon2id$v=19$m=102400,t=2,p=16777215$${SALT}$${B64}`,
    `argon2$argon2id$v=19$m=102400,t=2,p=8$${SALT}$${'A'.repeat(100_000)}`, // 75 kB output
    `argon2$argon2id$v=19$m=102400,p=8,t=2$${SALT}$${B64}`, // not the order Django's C library reads
  ];
  const absurdBcrypt = [
    `bcrypt_sha256$$2b$31$${'a'.repeat(53)}`, // 2^31 rounds, on the event loop
    `bcrypt$$2b$17$${'a'.repeat(53)}`,
  ];

  test('scrypt: no derivation, no allocation, invalid at once', async () => {
    const { scrypt, record } = countingScrypt();
    const hasher = new PasswordHasher({ iterations: 1000 }, { scrypt });
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    for (const encoded of absurdScrypt) {
      assert.deepEqual(await hasher.check('pw', encoded), INVALID, encoded);
    }
    assert.ok(performance.now() - started < 2000);
    assert.deepEqual(record.workFactors, []);
    assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024);
  });

  test('argon2 and bcrypt: the package is not even loaded', async () => {
    const loaded: string[] = [];
    const hasher = new PasswordHasher(
      { iterations: 1000 },
      {
        loadModule: async (specifier) => {
          loaded.push(specifier);
          throw new Error('must not be loaded');
        },
      },
    );
    const started = performance.now();
    for (const encoded of [...absurdArgon2, ...absurdBcrypt]) {
      assert.deepEqual(await hasher.check('pw', encoded), INVALID, encoded.slice(0, 60));
    }
    assert.ok(performance.now() - started < 2000);
    assert.deepEqual(loaded, []);
  });

  test('PBKDF2: a count above 20,000,000 (unless configured higher) is not derived', async () => {
    const counted: number[] = [];
    const pbkdf2 = async (...args: Parameters<typeof nodePbkdf2>) => {
      counted.push(args[2]);
      return nodePbkdf2(...args);
    };
    const hasher = new PasswordHasher({ iterations: 1000 }, { pbkdf2 });
    const hash = 'A'.repeat(43);
    for (const iterations of [2 ** 31 - 1, 20_000_001]) {
      const encoded = `pbkdf2_sha256$${iterations}$${SALT}$${hash}=`;
      assert.deepEqual(await hasher.check('pw', encoded), INVALID);
    }
    assert.deepEqual(counted, []);
    const atBound = await encodePbkdf2('pw', SALT, 1000);
    assert.equal((await hasher.check('pw', atBound)).valid, true);
    // A count configured above the bound is tessera's own choice, and its hashes verify.
    const high = new PasswordHasher(
      { iterations: 20_000_002 },
      { pbkdf2: async () => new Uint8Array(32) },
    );
    const own = await high.hash('pw');
    assert.equal((await high.check('pw', own)).valid, true);
  });

  test('a refused scrypt value is not written either', async () => {
    await assert.rejects(
      encodeScrypt('pw', SALT, { workFactor: 2 ** 30, blockSize: 8, parallelism: 1 }),
      RangeError,
    );
  });

  test("Django's own parameters stay within the bounds", async () => {
    const { scrypt } = countingScrypt();
    const hasher = new PasswordHasher({ algorithm: 'scrypt', iterations: 1000 }, { scrypt });
    const encoded = await hasher.hash('pw');
    assert.match(encoded, /^scrypt\$16384\$[a-zA-Z0-9]{22}\$8\$5\$[A-Za-z0-9+/]{86}==$/);
    assert.deepEqual(await hasher.check('pw', encoded), { valid: true, needsRehash: false });
  });
});

describe('scrypt, argon2 and bcrypt wait on the hashing limit', () => {
  test('12 concurrent scrypt checks never run more than 2 derivations at once', async () => {
    const { scrypt, record } = countingScrypt();
    const hasher = new PasswordHasher({ algorithm: 'scrypt', iterations: 1000 }, { scrypt });
    const encoded = await hasher.hash('pw');
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => hasher.check(i % 2 ? 'pw' : 'wrong', encoded)),
    );
    assert.deepEqual(
      results.map((r) => r.valid),
      Array.from({ length: 12 }, (_, i) => i % 2 === 1),
    );
    assert.equal(record.maxInFlight, 2);
    assert.equal(hasher.limit.active, 0);
  });

  test('12 concurrent bcrypt and bcrypt_sha256 checks never run more than 2 hashes at once', async () => {
    // bcryptjs runs on the event loop: unbounded, a burst of them takes every request's time.
    const record = { inFlight: 0, maxInFlight: 0 };
    const counting = {
      hash: async (input: string, salt: string | number) => {
        record.inFlight++;
        record.maxInFlight = Math.max(record.maxInFlight, record.inFlight);
        try {
          return await bcrypt.hash(input, salt);
        } finally {
          record.inFlight--;
        }
      },
    };
    const hasher = new PasswordHasher({ iterations: 1000 }, { loadModule: async () => counting });
    const sha = createHash('sha256').update('pw', 'utf8').digest('hex');
    const hashes = [
      `bcrypt_sha256$${await bcrypt.hash(sha, 12)}`,
      `bcrypt$${await bcrypt.hash('pw', 4)}`,
    ];
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        hasher.check(i % 3 ? 'pw' : 'wrong', hashes[i % 2] as string),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.valid),
      Array.from({ length: 12 }, (_, i) => i % 3 !== 0),
    );
    assert.equal(record.maxInFlight, 2);
    assert.equal(hasher.limit.active, 0);
  });

  test('an unknown user costs one hash of the configured hasher', async () => {
    const { scrypt, record } = countingScrypt();
    const hasher = new PasswordHasher({ algorithm: 'scrypt', iterations: 1000 }, { scrypt });
    assert.equal(await hasher.checkUnknownUser('pw'), false);
    assert.deepEqual(record.workFactors, [2 ** 14]);
  });
});

describe('rehash rules of the configured hasher', () => {
  test('a PBKDF2 hash of the other digest is rewritten; one of the configured is not', async () => {
    const sha1 = new PasswordHasher({ algorithm: 'pbkdf2_sha1', iterations: 1000 });
    const own = await sha1.hash('pw');
    assert.match(own, /^pbkdf2_sha1\$1000\$/);
    assert.deepEqual(await sha1.check('pw', own), { valid: true, needsRehash: false });
    const other = await encodePbkdf2('pw', SALT, 1000);
    assert.deepEqual(await sha1.check('pw', other), { valid: true, needsRehash: true });
  });

  test('bcrypt_sha256 configured: a wrong password on a cost-10 hash costs 2^(12-10) hashes', async () => {
    const calls: string[] = [];
    const counting = {
      hash: (input: string, salt: string | number) => {
        calls.push(String(salt).slice(0, 7));
        return bcrypt.hash(input, salt);
      },
    };
    const hasher = new PasswordHasher(
      { algorithm: 'bcrypt_sha256' },
      { loadModule: async () => counting },
    );
    const sha = createHash('sha256').update('pw').digest('hex');
    const cheap = `bcrypt_sha256$${await bcrypt.hash(sha, 10)}`;
    assert.deepEqual(await hasher.check('pw', cheap), { valid: true, needsRehash: true });
    assert.equal(calls.length, 1);
    calls.length = 0;
    assert.deepEqual(await hasher.check('wrong', cheap), INVALID);
    // Django's harden_runtime: the check, then 2^(12 - 10) - 1 more at the stored salt.
    assert.deepEqual(calls, ['$2b$10$', '$2b$10$', '$2b$10$', '$2b$10$']);
  });

  test('legacy digests with an empty or missing salt match nothing and do not throw', async () => {
    const hasher = new PasswordHasher({ iterations: 1000 });
    for (const encoded of ['sha1$$abc', 'md5$$abc', 'sha1$', 'md5$x', `sha1$$${'0'.repeat(41)}`]) {
      assert.deepEqual(await hasher.check('pw', encoded), INVALID, encoded);
    }
  });

  test('an unknown algorithm name is refused', () => {
    assert.throws(
      () => new PasswordHasher({ algorithm: 'crypt' as 'scrypt' }),
      /algorithm must be one of pbkdf2_sha256, pbkdf2_sha1, argon2, bcrypt_sha256, scrypt/,
    );
  });
});

test('without Django the tests fail naming the install command, never skip', () => {
  assert.throws(
    () => runDjango({ mode: 'make', passwords: ['pw'] }, '/nonexistent/python3'),
    (error: Error) => error.message.includes(DJANGO_INSTALL_COMMAND),
  );
});
