import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DJANGO_SCRYPT_PARAMETERS,
  nodeScrypt,
  type ScryptParameters,
} from '../../../src/core/passwords/django-scrypt.js';
import { lowPriorityScrypt } from '../../../src/core/passwords/low-priority-pbkdf2.js';

test('lowPriorityScrypt derives the keys crypto.scrypt derives, on the low-priority threads', async () => {
  const derive = lowPriorityScrypt(2);
  const cases: [string, string, ScryptParameters][] = [
    ['correct horse', 'seasalt', DJANGO_SCRYPT_PARAMETERS],
    ['pässwörd', 'salt2', { workFactor: 1024, blockSize: 8, parallelism: 1 }],
    ['', 'salt3', { workFactor: 16, blockSize: 1, parallelism: 2 }],
  ];
  const keys = await Promise.all(cases.map((args) => derive(...args)));
  const expected = await Promise.all(cases.map((args) => nodeScrypt(...args)));
  assert.deepEqual(
    keys.map((key) => Buffer.from(key).toString('hex')),
    expected.map((key) => Buffer.from(key).toString('hex')),
  );
  assert.equal(keys[0]?.byteLength, 64);
  // An error on the thread (parameters scrypt refuses) rejects that call alone.
  await assert.rejects(derive('pw', 'salt', { workFactor: 3, blockSize: 8, parallelism: 1 }));
  assert.equal((await derive('pw', 'salt', cases[1]?.[2] as ScryptParameters)).byteLength, 64);
});
