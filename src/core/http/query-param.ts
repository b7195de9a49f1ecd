/**
 * The last value of a query-string parameter, or undefined when it is absent. Django's
 * `QueryDict.get` returns the last of repeated values, so `?format=xml&format=json` asks for
 * JSON in DRF. `url` is a path with its query (`/a/?x=1`) or a whole URL.
 * @example
 * lastQueryParam('/api/?format=xml&format=json', 'format'); // 'json'
 */
export function lastQueryParam(url: string, name: string): string | undefined {
  // Every request asks for `format`: most have no query string at all.
  if (!url.includes('?')) return undefined;
  const values = allQueryParams(url, name);
  return values[values.length - 1];
}

/**
 * Every value of a query-string parameter, in order; empty when it is absent.
 * @example
 * allQueryParams('/auth/verify/?scope=a&scope=b', 'scope'); // ['a', 'b']
 */
export function allQueryParams(url: string, name: string): string[] {
  const start = url.indexOf('?');
  if (start < 0) return [];
  const end = url.indexOf('#', start);
  return new URLSearchParams(url.slice(start + 1, end < 0 ? undefined : end)).getAll(name);
}

/**
 * A request URL's path, without its query string.
 * @example
 * pathOf('/api/tokens/?format=json'); // '/api/tokens/'
 */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
