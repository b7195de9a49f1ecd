import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MAX_FORM_FIELDS, TOO_MANY_FIELDS } from '../../../src/core/drf-compat/form-body.js';
import { type BodyParserName, parseBody } from '../../../src/core/drf-compat/parse-body.js';
import { ParseError, UnsupportedMediaType } from '../../../src/core/errors.js';

type Outcome = { readonly value: unknown } | { readonly error: string };

/** What `parseBody` does, in the models' terms; anything but DRF's two API errors escapes. */
function parsed(
  contentType: string | undefined,
  body: Uint8Array,
  parsers: readonly BodyParserName[],
): Outcome {
  try {
    return { value: parseBody(contentType, body, parsers) };
  } catch (error) {
    if (error instanceof ParseError || error instanceof UnsupportedMediaType) {
      return { error: error.constructor.name };
    }
    throw error;
  }
}

const ALL: readonly BodyParserName[] = ['json', 'form', 'multipart'];
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

/** Byte strings: random, UTF-8 of random text, and mutations of either (a flipped or cut byte). */
function bodies(seeds: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 80 }),
    seeds,
    fc.tuple(seeds, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([bytes, at, byte]) => {
      if (bytes.length === 0) return bytes;
      const copy = bytes.slice();
      copy[at % copy.length] = byte;
      return copy;
    }),
    fc.tuple(seeds, fc.nat()).map(([bytes, at]) => bytes.subarray(0, at % (bytes.length + 1))),
  );
}

// ---- JSON: DRF's JSONParser is `json.load(codecs.getreader('utf-8')(stream))`, strict constants.

/** The model: strict UTF-8 read as a stream (a cut sequence at the end is dropped), then JSON. */
function jsonModel(body: Uint8Array): Outcome {
  if (body.length === 0) return { value: {} };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body, {
      stream: true,
    });
  } catch {
    return { error: 'ParseError' };
  }
  try {
    // JSON.parse refuses NaN and Infinity as DRF's strict parse_constant does.
    return { value: JSON.parse(text) };
  } catch {
    return { error: 'ParseError' };
  }
}

// ---- Form: Django's QueryDict, `urllib.parse.parse_qsl(keep_blank_values=True)`.

const UTF8_REPLACE = new TextDecoder('utf-8', { ignoreBOM: true });
const HEX_PAIR = /^[0-9A-Fa-f]{2}/;

// urllib.parse.unquote_to_bytes, written as CPython does: split on '%', then a hex pair or not.
function unquoteToBytes(ascii: string): Uint8Array {
  const bits = ascii.split('%');
  const out: number[] = [...Buffer.from(bits[0] ?? '', 'latin1')];
  for (const item of bits.slice(1)) {
    if (HEX_PAIR.test(item)) {
      out.push(Number.parseInt(item.slice(0, 2), 16), ...Buffer.from(item.slice(2), 'latin1'));
    } else {
      out.push(0x25, ...Buffer.from(item, 'latin1'));
    }
  }
  return Uint8Array.from(out);
}

// urllib.parse.unquote(errors='replace'): only runs of ASCII are unquoted and decoded.
function unquote(text: string): string {
  if (!text.includes('%')) return text;
  return text
    .split(/([^\u0080-\uffff]+)/)
    .map((bit, i) => (i % 2 === 1 ? UTF8_REPLACE.decode(unquoteToBytes(bit)) : bit))
    .join('');
}

function formModel(body: Uint8Array): Outcome {
  if (body.length === 0) return { value: {} };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    text = latin1(body); // Django: "some user agents are misbehaving"
  }
  if (text.split('&').length > MAX_FORM_FIELDS) return { error: 'ParseError' };
  const fields: Record<string, string> = Object.create(null);
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const [name = '', ...rest] = pair.split('=');
    const value = rest.length === 0 ? '' : rest.join('=');
    fields[unquote(name.replaceAll('+', ' '))] = unquote(value.replaceAll('+', ' '));
  }
  return { value: fields };
}

const formText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '&',
        '=',
        '+',
        '%',
        '%2',
        '%41',
        '%e9',
        '%C3%A9',
        '%ff',
        '%zz',
        'é',
        '\u{1F600}',
      ),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 16 },
  )
  .map((parts) => parts.join(''));

// ---- Multipart: well-formed bodies have a model (fields by name, last wins); others must not crash.

const fieldName = fc.string({ unit: fc.constantFrom(...'abcxyz_019'), minLength: 1, maxLength: 6 });
const boundaryArbitrary = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
  minLength: 12,
  maxLength: 40,
});

function multipartBody(
  boundary: string,
  fields: readonly (readonly [string, Uint8Array])[],
): Uint8Array {
  const chunks: Buffer[] = [];
  for (const [name, value] of fields) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`),
      Buffer.from(value),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return new Uint8Array(Buffer.concat(chunks));
}

describe('body parsers, property-based against models of DRF', () => {
  test('JSON: any bytes give the model’s value or a ParseError', () => {
    const seeds = fc.jsonValue().map((value) => utf8(JSON.stringify(value)));
    fc.assert(
      fc.property(bodies(seeds), (body) => {
        assert.deepEqual(parsed('application/json', body, ALL), jsonModel(body));
      }),
      { numRuns: 3000 },
    );
  });

  test('form: any bytes give parse_qsl’s fields', () => {
    fc.assert(
      fc.property(bodies(formText.map(utf8)), (body) => {
        assert.deepEqual(parsed('application/x-www-form-urlencoded', body, ALL), formModel(body));
      }),
      { numRuns: 3000 },
    );
  });

  test('form: more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields is a 400 before any is read', () => {
    fc.assert(
      fc.property(fc.integer({ min: 990, max: 1010 }), (count) => {
        const body = utf8(Array.from({ length: count }, (_, i) => `f${i}=v`).join('&'));
        const outcome = parsed('application/x-www-form-urlencoded', body, ALL);
        assert.deepEqual(outcome, formModel(body));
        assert.equal('error' in outcome, count > MAX_FORM_FIELDS);
      }),
      { numRuns: 25 },
    );
    assert.equal(TOO_MANY_FIELDS.includes('DATA_UPLOAD_MAX_NUMBER_FIELDS'), true);
  });

  test('multipart: well-formed fields come back by name, the last value winning', () => {
    const value = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.string().map(utf8));
    fc.assert(
      fc.property(
        boundaryArbitrary,
        fc.array(fc.tuple(fieldName, value), { maxLength: 6 }),
        (boundary, fields) => {
          fc.pre(fields.every(([, bytes]) => !latin1(bytes).includes(`--${boundary}`)));
          const expected: Record<string, string> = Object.create(null);
          for (const [name, bytes] of fields) expected[name] = UTF8_REPLACE.decode(bytes);
          const body = multipartBody(boundary, fields);
          assert.deepEqual(
            parsed(`multipart/form-data; boundary=${boundary}`, body, ALL),
            fields.length === 0 && body.length === 0 ? { value: {} } : { value: expected },
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('multipart: any bytes, any boundary, only ParseError escapes', () => {
    const contentType = fc.oneof(
      boundaryArbitrary.map((b) => `multipart/form-data; boundary=${b}`),
      fc.string({ maxLength: 30 }).map((b) => `multipart/form-data; boundary=${b}`),
      fc.uint8Array({ maxLength: 40 }).map((b) => `multipart/form-data; ${latin1(b)}`),
    );
    const seeds = fc
      .tuple(
        boundaryArbitrary,
        fc.array(fc.tuple(fieldName, fc.uint8Array({ maxLength: 20 })), { maxLength: 4 }),
      )
      .map(([boundary, fields]) => multipartBody(boundary, fields));
    fc.assert(
      fc.property(contentType, bodies(seeds), (type, body) => {
        parsed(type, body, ['multipart']);
      }),
      { numRuns: 3000 },
    );
  });

  test('any Content-Type and bytes: a value, a ParseError or a 415, nothing else', () => {
    const contentType = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(
        'application/json',
        'application/json; charset=latin-1',
        'application/json; charset=utf-8-sig',
        'application/json; charset=ascii',
        'application/json; charset=nope',
        'application/x-www-form-urlencoded; charset=iso-8859-1',
        'multipart/form-data',
        'text/plain',
        '*/*',
        'application/*',
      ),
      fc.uint8Array({ maxLength: 40 }).map(latin1),
      fc.string({ unit: 'binary', maxLength: 40 }),
    );
    fc.assert(
      fc.property(
        contentType,
        fc.uint8Array({ maxLength: 80 }),
        fc.subarray([...ALL]),
        (type, body, parsers) => {
          parsed(type, body, parsers);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
