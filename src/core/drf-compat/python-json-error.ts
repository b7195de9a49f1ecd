import { isAsciiDigit, isHexDigit } from './ascii-digits.js';
import { pythonLength } from './python-strings.js';

// CPython's int() refuses decimal strings longer than this (sys.get_int_max_str_digits()).
const INT_MAX_STR_DIGITS = 4300;

/** A run of digits long enough to exceed Python's integer-parsing limit. */
export const OVERLONG_DIGITS = new RegExp(`\\d{${INT_MAX_STR_DIGITS + 1}}`);

class PythonJsonError {
  constructor(
    readonly message: string,
    readonly position?: number,
  ) {}
}

// Python's json.JSONDecodeError message. Positions count code points, as Python's str does.
function formatError(text: string, error: PythonJsonError): string {
  if (error.position === undefined) return error.message;
  const before = text.slice(0, error.position);
  const position = pythonLength(before);
  const lastNewline = before.lastIndexOf('\n');
  const line = before.split('\n').length;
  const column =
    lastNewline < 0 ? position + 1 : position - pythonLength(before.slice(0, lastNewline));
  return `${error.message}: line ${line} column ${column} (char ${position})`;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function fail(message: string, position?: number): never {
  throw new PythonJsonError(message, position);
}

function expectingValue(position: number): never {
  fail('Expecting value', position);
}

function outOfRange(constant: string): never {
  // DRF's strict_constant: NaN and the infinities are refused, with no position.
  fail(`Out of range float values are not JSON compliant: '${constant}'`);
}

/**
 * Replays CPython 3.11's C JSON scanner (Modules/_json.c) under DRF's settings, only to tell why
 * it refuses a document: Python's error text, or undefined when Python accepts it. Iterative, so
 * no nesting depth overflows the stack.
 */
export function pythonJsonError(text: string): string | undefined {
  try {
    scanDocument(text);
    return undefined;
  } catch (error) {
    if (error instanceof PythonJsonError) return formatError(text, error);
    throw error;
  }
}

function scanDocument(text: string): void {
  if (text.startsWith('\ufeff')) fail('Unexpected UTF-8 BOM (decode using utf-8-sig)', 0);
  const length = text.length;
  const skip = (at: number) => {
    while (at < length && isWhitespace(text.charCodeAt(at))) at++;
    return at;
  };

  // Scans a string whose opening quote is at `at - 1`; returns the index after the closing quote.
  const scanString = (at: number): number => {
    const begin = at - 1;
    let end = at;
    for (;;) {
      let next = end;
      let code = 0;
      for (; next < length; next++) {
        code = text.charCodeAt(next);
        if (code === 0x22 || code === 0x5c) break;
        if (code <= 0x1f) fail('Invalid control character at', next);
      }
      if (next >= length) fail('Unterminated string starting at', begin);
      next++;
      if (code === 0x22) return next;
      if (next === length) fail('Unterminated string starting at', begin);
      const escaped = text[next] as string;
      if (escaped !== 'u') {
        end = next + 1;
        if (!'"\\/bfnrt'.includes(escaped)) fail('Invalid \\escape', end - 2);
        continue;
      }
      next++;
      end = next + 4;
      if (end >= length) fail('Invalid \\uXXXX escape', next - 1);
      for (let i = next; i < end; i++) {
        if (!isHexDigit(text.charCodeAt(i))) fail('Invalid \\uXXXX escape', end - 5);
      }
      const unit = Number.parseInt(text.slice(next, end), 16);
      if (unit >= 0xd800 && unit <= 0xdbff && end + 6 < length && text.startsWith('\\u', end)) {
        const pairEnd = end + 6;
        for (let i = end + 2; i < pairEnd; i++) {
          if (!isHexDigit(text.charCodeAt(i))) fail('Invalid \\uXXXX escape', pairEnd - 5);
        }
        const low = Number.parseInt(text.slice(end + 2, pairEnd), 16);
        if (low >= 0xdc00 && low <= 0xdfff) end = pairEnd;
      }
    }
  };

  const scanNumber = (start: number): number => {
    let at = start;
    if (text.charCodeAt(at) === 0x2d) {
      at++;
      if (at > length - 1) expectingValue(start);
    }
    const first = text.charCodeAt(at);
    if (first >= 0x31 && first <= 0x39) {
      at++;
      while (at < length && isAsciiDigit(text.charCodeAt(at))) at++;
    } else if (first === 0x30) {
      at++;
    } else {
      expectingValue(start);
    }
    let isFloat = false;
    if (at < length - 1 && text[at] === '.' && isAsciiDigit(text.charCodeAt(at + 1))) {
      isFloat = true;
      at += 2;
      while (at < length && isAsciiDigit(text.charCodeAt(at))) at++;
    }
    if (at < length - 1 && (text[at] === 'e' || text[at] === 'E')) {
      const exponentStart = at;
      at++;
      if (at < length - 1 && (text[at] === '-' || text[at] === '+')) at++;
      while (at < length && isAsciiDigit(text.charCodeAt(at))) at++;
      if (isAsciiDigit(text.charCodeAt(at - 1))) isFloat = true;
      else at = exponentStart;
    }
    if (!isFloat) {
      const digits = at - start - (text.charCodeAt(start) === 0x2d ? 1 : 0);
      if (digits > INT_MAX_STR_DIGITS) {
        fail(
          `Exceeds the limit (${INT_MAX_STR_DIGITS} digits) for integer string conversion: ` +
            `value has ${digits} digits; use sys.set_int_max_str_digits() to increase the limit`,
        );
      }
    }
    return at;
  };

  // Object members are expected after `{` or `,`: a quoted key, `:`, then a value.
  const scanKey = (at: number): number => {
    if (at >= length || text[at] !== '"') {
      fail('Expecting property name enclosed in double quotes', at);
    }
    const afterKey = skip(scanString(at + 1));
    if (afterKey >= length || text[afterKey] !== ':') fail("Expecting ':' delimiter", afterKey);
    return skip(afterKey + 1);
  };

  const open: ('[' | '{')[] = [];
  let at = skip(0);
  for (;;) {
    // A value starts at `at`.
    if (at >= length) expectingValue(at);
    let end: number;
    switch (text[at]) {
      case '"':
        end = scanString(at + 1);
        break;
      case '{': {
        const inside = skip(at + 1);
        if (inside < length && text[inside] === '}') {
          end = inside + 1;
          break;
        }
        open.push('{');
        at = scanKey(inside);
        continue;
      }
      case '[': {
        const inside = skip(at + 1);
        if (inside < length && text[inside] === ']') {
          end = inside + 1;
          break;
        }
        open.push('[');
        at = inside;
        continue;
      }
      case 'n':
        end = at + 3 < length && text.startsWith('ull', at + 1) ? at + 4 : scanNumber(at);
        break;
      case 't':
        end = at + 3 < length && text.startsWith('rue', at + 1) ? at + 4 : scanNumber(at);
        break;
      case 'f':
        end = at + 4 < length && text.startsWith('alse', at + 1) ? at + 5 : scanNumber(at);
        break;
      case 'N':
        if (at + 2 < length && text.startsWith('aN', at + 1)) outOfRange('NaN');
        end = scanNumber(at);
        break;
      case 'I':
        if (at + 7 < length && text.startsWith('nfinity', at + 1)) outOfRange('Infinity');
        end = scanNumber(at);
        break;
      case '-':
        if (at + 8 < length && text.startsWith('Infinity', at + 1)) outOfRange('-Infinity');
        end = scanNumber(at);
        break;
      default:
        end = scanNumber(at);
    }
    // After a value: close containers, or find the `,` that leads to the next value.
    for (;;) {
      const container = open.at(-1);
      const next = skip(end);
      if (container === undefined) {
        if (next !== length) fail('Extra data', next);
        return;
      }
      const close = container === '[' ? ']' : '}';
      if (next < length && text[next] === close) {
        open.pop();
        end = next + 1;
        continue;
      }
      if (next >= length || text[next] !== ',') fail("Expecting ',' delimiter", next);
      at = container === '[' ? skip(next + 1) : scanKey(skip(next + 1));
      break;
    }
  }
}
