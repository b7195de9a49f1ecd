import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { generateKey, isWellFormedKey, keyChecksum } from '../../../src/core/tokens/key-format.js';

// An independent CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), table-free.
function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The README's rule, written again: 6 base62 digits of the CRC-32 of the random part. */
function modelChecksum(randomPart: string): string {
  let value = BigInt(crc32(randomPart));
  let digits = '';
  for (let i = 0; i < 6; i++) {
    digits = BASE62[Number(value % 62n)] + digits;
    value /= 62n;
  }
  return digits;
}

/** The README's grammar: `tsr_`, 32 random and 6 checksum base62 characters, the checksum matching. */
function modelIsWellFormed(key: string): boolean {
  if (key.length !== 42 || !key.startsWith('tsr_')) return false;
  for (const char of key.slice(4)) if (!BASE62.includes(char)) return false;
  return modelChecksum(key.slice(4, 36)) === key.slice(36);
}

const base62Char = fc.constantFrom(...BASE62);
const randomPart = fc.string({ unit: base62Char, minLength: 32, maxLength: 32 });
const validKey = randomPart.map((random) => `tsr_${random}${modelChecksum(random)}`);
const anyChar = fc.oneof(base62Char, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));

/** A valid key with 1 to 3 characters replaced, inserted or removed. */
const mutatedKey = fc
  .tuple(
    validKey,
    fc.array(fc.tuple(fc.nat(41), anyChar, fc.constantFrom('replace', 'insert', 'delete')), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([key, edits]) => {
    let out = key;
    for (const [at, char, kind] of edits) {
      const i = at % (out.length + 1);
      if (kind === 'replace') out = out.slice(0, i) + char + out.slice(i + 1);
      else if (kind === 'insert') out = out.slice(0, i) + char + out.slice(i);
      else out = out.slice(0, i) + out.slice(i + 1);
    }
    return out;
  });

describe('key grammar and checksum, property-based against a model', () => {
  test('any string: isWellFormedKey agrees with the model and never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 50 }), validKey, mutatedKey),
        (key) => {
          assert.equal(isWellFormedKey(key), modelIsWellFormed(key));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  test('the checksum is the model’s for any random part', () => {
    fc.assert(
      fc.property(randomPart, (random) => assert.equal(keyChecksum(random), modelChecksum(random))),
      { numRuns: 5000 },
    );
  });

  test('one changed character always breaks the checksum (CRC-32 catches every 8-bit burst)', () => {
    fc.assert(
      fc.property(validKey, fc.integer({ min: 4, max: 41 }), base62Char, (key, at, char) => {
        fc.pre(key[at] !== char);
        assert.equal(isWellFormedKey(key.slice(0, at) + char + key.slice(at + 1)), false);
      }),
      { numRuns: 5000 },
    );
  });

  test('generated keys are always well formed', () => {
    for (let i = 0; i < 2000; i++) assert.equal(modelIsWellFormed(generateKey()), true);
  });
});
