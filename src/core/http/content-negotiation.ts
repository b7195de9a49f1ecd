import { mediaTypeMatches, parseDjangoHeader } from '../drf-compat/media-type.js';
import { pythonStrip } from '../drf-compat/python-strings.js';
import { NotAcceptable, NotFound } from '../errors.js';

// Printable ASCII without quotes: such a header cannot hit DRF's parsing corner cases (non-ASCII
// names, quoted `;`, RFC 2231 values), so the type before `;` is all that matters.
const PLAIN_HEADER = /^[ !#-&(-~]*$/;
const JSON_TYPES: ReadonlySet<string> = new Set([
  'application/json',
  'application/*',
  '*/json',
  '*/*',
]);

function plainHeaderAcceptsJson(acceptHeader: string): boolean {
  for (const entry of acceptHeader.split(',')) {
    const semicolon = entry.indexOf(';');
    const type = (semicolon < 0 ? entry : entry.slice(0, semicolon)).trim().toLowerCase();
    if (JSON_TYPES.has(type)) return true;
  }
  return false;
}

/**
 * DRF's `DefaultContentNegotiation.select_renderer` for a view that renders JSON only. Throws
 * `NotFound` when `?format=` names another format (DRF's `URL_FORMAT_OVERRIDE`), and
 * `NotAcceptable` unless some `Accept` entry matches `application/json`: `*\/*`, `application/*`,
 * `*\/json` or `application/json`, parameters and q-values ignored (`application/json;q=0` is
 * accepted). No header means `*\/*`; an empty one matches nothing, as in DRF.
 * @example
 * negotiate('text/html, application/json', undefined); // returns
 * negotiate('text/html', undefined); // throws NotAcceptable
 */
export function negotiate(acceptHeader: string | undefined, formatParam: string | undefined): void {
  // An empty `?format=` is ignored, as DRF tests the value's truthiness.
  if (formatParam && formatParam !== 'json') throw new NotFound();
  if (acceptHeader === undefined || acceptHeader === '*/*' || acceptHeader === 'application/json') {
    return;
  }
  if (PLAIN_HEADER.test(acceptHeader)) {
    if (plainHeaderAcceptsJson(acceptHeader)) return;
    throw new NotAcceptable();
  }
  let acceptable = false;
  for (const entry of acceptHeader.split(',')) {
    const parsed = parseDjangoHeader(pythonStrip(entry), false);
    // DRF parses every entry before matching, and raises a 500 on a non-ASCII type or parameter
    // name anywhere in the list; refusing the header is the closest answer tessera can give.
    if ('error' in parsed) throw new NotAcceptable();
    acceptable ||= mediaTypeMatches(parsed.header, 'application', 'json');
  }
  if (!acceptable) throw new NotAcceptable();
}
