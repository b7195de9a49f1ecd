import { ParseError } from '../errors.js';
import { decodeStream, type PythonCodec } from './python-codec.js';
import { OVERLONG_DIGITS, pythonJsonError } from './python-json-error.js';

function jsonParseError(reason: string): ParseError {
  return new ParseError(`JSON parse error - ${reason}`);
}

/**
 * DRF's `JSONParser`: the body decoded with the request's charset (strictly; a UTF-8 BOM is kept
 * and refused, as Python's `json.loads` refuses it), then parsed. Any JSON value is returned;
 * the caller decides what a non-object means. Errors carry Python's message, which gives
 * positions but never quotes the body.
 * @example
 * parseJsonBody(new TextEncoder().encode('{"username":"ada"}'), 'utf-8'); // { username: 'ada' }
 */
export function parseJsonBody(body: Uint8Array, codec: PythonCodec): unknown {
  const decoded = decodeStream(body, codec);
  if ('error' in decoded) throw jsonParseError(decoded.error);
  const text = decoded.text;
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
