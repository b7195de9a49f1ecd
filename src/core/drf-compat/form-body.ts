import { ParseError } from '../errors.js';
import { percentDecode } from './percent-decode.js';
import { decodeStrict, latin1, type PythonCodec } from './python-codec.js';

/** Django's `DATA_UPLOAD_MAX_NUMBER_FIELDS` default. */
export const MAX_FORM_FIELDS = 1000;

/** Django's text for a form with more fields than `MAX_FORM_FIELDS`. */
export const TOO_MANY_FIELDS =
  'The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.';

/**
 * DRF's `FormParser` (Django's `QueryDict` over `urllib.parse.parse_qsl`): `&`-separated fields,
 * `+` is a space, a field without `=` has the value `''`, percent escapes are decoded with the
 * request's charset replacing invalid bytes, and a repeated name keeps its last value (what
 * `QueryDict[name]` returns). The result has no prototype, so `__proto__` is just a field.
 * @example
 * parseFormBody(new TextEncoder().encode('username=ada&password=a+b'), 'utf-8');
 * // { username: 'ada', password: 'a b' }
 */
export function parseFormBody(body: Uint8Array, codec: PythonCodec): Record<string, string> {
  // Django: "query_string normally contains URL-encoded data, a subset of ASCII", so a body the
  // charset cannot decode is read as latin-1 rather than refused.
  const text = decodeStrict(body, codec) ?? latin1(body);
  const fields: Record<string, string> = Object.create(null);
  if (text === '') return fields;
  let separators = 0;
  for (let at = text.indexOf('&'); at >= 0; at = text.indexOf('&', at + 1)) separators++;
  // Django answers 400 (TooManyFieldsSent) here, before reading any field.
  if (separators + 1 > MAX_FORM_FIELDS) throw new ParseError(TOO_MANY_FIELDS);
  for (const field of text.split('&')) {
    if (field === '') continue;
    const equals = field.indexOf('=');
    const name = equals < 0 ? field : field.slice(0, equals);
    const value = equals < 0 ? '' : field.slice(equals + 1);
    fields[percentDecode(name.replaceAll('+', ' '), codec)] = percentDecode(
      value.replaceAll('+', ' '),
      codec,
    );
  }
  return fields;
}
