import assert from 'node:assert/strict';
import { it } from 'node:test';
import { pythonLength, pythonStrip } from '../../../src/core/drf-compat/python-strings.js';

// Python 3.11: ''.join(chr(c) for c in range(0x110000) if chr(c).isspace() and chr(c).strip() == '')
const PYTHON_WHITESPACE =
  '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007' +
  '\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

it("pythonStrip removes exactly Python's str.strip() whitespace from both ends", () => {
  for (const space of PYTHON_WHITESPACE) {
    assert.equal(
      pythonStrip(`${space}a b${space}`),
      'a b',
      `U+${space.charCodeAt(0).toString(16)}`,
    );
  }
  // Kept by Python, though JavaScript's trim() removes it.
  assert.equal(pythonStrip('\ufeffa\ufeff'), '\ufeffa\ufeff');
  assert.equal(pythonStrip('\x1b a \u200b'), '\x1b a \u200b');
  assert.equal(pythonStrip(PYTHON_WHITESPACE), '');
  assert.equal(pythonStrip(''), '');
});

it('pythonStrip keeps inner runs of whitespace, however long', () => {
  const inner = ' '.repeat(50_000);
  assert.equal(pythonStrip(` x${inner}x `), `x${inner}x`);
});

it("pythonLength counts code points, as Python's len", () => {
  assert.equal(pythonLength('a😀'), 2);
  assert.equal(pythonLength('\ud800a'), 2);
  assert.equal(pythonLength(''), 0);
});
