import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import {
  generateKey,
  isWellFormedKey,
  KEY_BAD_CHECKSUM,
  KEY_MALFORMED,
  KEY_PATTERN,
  KEY_WELL_FORMED,
  keyCheckAt,
  keyChecksum,
  keyDigest,
  keyPreview,
} from '../../../src/core/tokens/key-format.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function referenceChecksum(random: string): string {
  let value = BigInt(crc32(random));
  let out = '';
  while (value > 0n) {
    out = BASE62[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out.padStart(6, '0');
}

test('generated keys match the grammar and carry a CRC32 base62 checksum of the random part', () => {
  for (let i = 0; i < 200; i++) {
    const key = generateKey();
    assert.match(key, KEY_PATTERN);
    assert.equal(key.length, 42);
    assert.equal(key.slice(36), referenceChecksum(key.slice(4, 36)));
    assert.ok(isWellFormedKey(key));
  }
});

test('keys are unique and every base62 character appears in random parts', () => {
  const keys = new Set<string>();
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const key = generateKey();
    keys.add(key);
    for (const char of key.slice(4, 36)) seen.add(char);
  }
  assert.equal(keys.size, 2000);
  assert.equal(seen.size, 62);
});

test('random characters are drawn without modulo bias', () => {
  // 64,000 characters: each of 62 expects ~1032. With modulo bias (256 % 62 = 8), the first
  // 8 characters would be ~25% more frequent; a chi-square bound catches that.
  const counts = new Map<string, number>();
  for (let i = 0; i < 2000; i++) {
    for (const char of generateKey().slice(4, 36)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  const expected = 64000 / 62;
  let chiSquare = 0;
  for (const char of BASE62) chiSquare += ((counts.get(char) ?? 0) - expected) ** 2 / expected;
  // 61 degrees of freedom: p = 1e-6 is about 130.
  assert.ok(chiSquare < 130, `chi-square ${chiSquare}`);
});

test('the checksum is zero-padded to 6 characters', () => {
  // Find a random part whose CRC32 is small enough to need padding.
  for (let i = 0; i < 1_000_000; i++) {
    const random = `${i}`.padStart(32, 'a');
    if (crc32(random) < 62 ** 5) {
      assert.equal(keyChecksum(random), referenceChecksum(random));
      assert.equal(keyChecksum(random)[0], '0');
      return;
    }
  }
  assert.fail('no small CRC found');
});

test('malformed keys and keys with a wrong checksum are refused', () => {
  const key = generateKey();
  const flipped = key.slice(0, 10) + (key[10] === 'a' ? 'b' : 'a') + key.slice(11);
  for (const bad of [
    '',
    'abcd1234',
    key.slice(0, -1),
    `${key}a`,
    key.replace('tsr_', 'tsx_'),
    key.replace('tsr_', 'TSR_'),
    flipped,
    `${key.slice(0, 41)}!`,
  ]) {
    assert.equal(isWellFormedKey(bad), false, bad);
  }
});

test('keyCheckAt checks the key where it lies and tells a wrong checksum from the rest', () => {
  const key = generateKey();
  const last = key.at(-1) === 'a' ? 'b' : 'a';
  assert.equal(keyCheckAt(key, 0), KEY_WELL_FORMED);
  assert.equal(keyCheckAt(`Token ${key}`, 6), KEY_WELL_FORMED);
  assert.equal(keyCheckAt(`Token ${key}`, 5), KEY_MALFORMED);
  assert.equal(keyCheckAt(`Token ${key.slice(0, -1)}${last}`, 6), KEY_BAD_CHECKSUM);
  assert.equal(keyCheckAt(`Token ${key.slice(0, -1)}-`, 6), KEY_MALFORMED);
  assert.equal(keyCheckAt(`Token ${key}x`, 6), KEY_MALFORMED);
  assert.equal(keyCheckAt(`Token ${key.replace('tsr_', 'tsx_')}`, 6), KEY_MALFORMED);
});

test('the digest is SHA-256 hex of the key and the preview is the prefix plus 4 characters', () => {
  const key = generateKey();
  assert.equal(keyDigest(key), createHash('sha256').update(key, 'utf8').digest('hex'));
  assert.match(keyDigest(key), /^[0-9a-f]{64}$/);
  assert.equal(keyPreview(key), key.slice(0, 8));
});
