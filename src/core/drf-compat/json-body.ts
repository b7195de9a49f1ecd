import { ParseError } from '../errors.js';
import { decodeStream, type PythonCodec } from './python-codec.js';
import { OVERLONG_DIGITS, pythonJsonError } from './python-json-error.js';

function jsonParseError(reason: string): ParseError {
  return new ParseError(`JSON parse error - ${reason}`);
}

/**
 * The deepest nesting of arrays and objects a JSON body may have. Python's `json` recurses once
 * per level and stops near its recursion limit (1000 frames by default); tessera refuses beyond
 * this depth before parsing, so the cost of a body follows its size, not its shape.
 */
export const MAX_JSON_DEPTH = 1000;

/** Python's words for a body nested beyond its recursion limit, for an array or an object. */
export function tooDeepError(kind: 'array' | 'object'): ParseError {
  return jsonParseError(
    `maximum recursion depth exceeded while decoding a JSON ${kind} from a unicode string`,
  );
}

const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The container (array or object) that first opens beyond `MAX_JSON_DEPTH` in `text`, brackets
 * inside strings aside; undefined when the nesting stays within it. One pass, no allocation.
 */
export function containerBeyondDepth(text: string): 'array' | 'object' | undefined {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index += 1;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      depth += 1;
      if (depth > MAX_JSON_DEPTH) return code === OPEN_ARRAY ? 'array' : 'object';
    } else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
      depth -= 1;
    }
  }
  return undefined;
}

/**
 * DRF's `JSONParser`: the body decoded with the request's charset (strictly; a UTF-8 BOM is kept
 * and refused, as Python's `json.loads` refuses it), then parsed. Any JSON value is returned;
 * the caller decides what a non-object means. Errors carry Python's message, which gives
 * positions but never quotes the body; nesting beyond `MAX_JSON_DEPTH` is refused unparsed.
 * @example
 * parseJsonBody(new TextEncoder().encode('{"username":"ada"}'), 'utf-8'); // { username: 'ada' }
 */
export function parseJsonBody(body: Uint8Array, codec: PythonCodec): unknown {
  const decoded = decodeStream(body, codec);
  if ('error' in decoded) throw jsonParseError(decoded.error);
  const text = decoded.text;
  const tooDeep = containerBeyondDepth(text);
  if (tooDeep) throw tooDeepError(tooDeep);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JavaScript's messages quote the body (a password, perhaps): take Python's instead.
    throw jsonParseError(pythonJsonError(text) ?? 'Expecting value: line 1 column 1 (char 0)');
  }
  // The one document JavaScript reads and Python refuses: an integer of more than 4300 digits.
  if (OVERLONG_DIGITS.test(text)) {
    const error = pythonJsonError(text);
    if (error !== undefined) throw jsonParseError(error);
  }
  return value;
}
