import { type IncomingHttpHeaders, request } from 'node:http';

/** One HTTP request, sent as given: header values are neither trimmed nor re-encoded. */
export interface RawRequest {
  readonly method: string;
  /** Path and query, e.g. `/api-token-auth/?format=json`. */
  readonly path: string;
  /**
   * Header values are JS strings whose code points 0–255 go out as single latin-1 bytes; a list
   * goes out as that many lines of the same name, in order (a repeated header).
   */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  /** Sent with an exact `Content-Length`; a string is encoded as UTF-8. */
  readonly body?: string | Uint8Array;
}

/** What came back: the status, Node's lower-cased headers, and the body decoded as UTF-8. */
export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

// Methods Node would otherwise send with `Transfer-Encoding: chunked` when given no length.
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Sends one request over a fresh connection with `node:http` (not fetch, which trims and validates
 * header values), so `Token <key>\xb8`, tabs and surrounding spaces reach the server byte for byte.
 * @example
 * const res = await sendRaw('http://127.0.0.1:8000', { method: 'POST', path: '/api/build-trigger/' });
 */
export function sendRaw(baseUrl: string, raw: RawRequest): Promise<RawResponse> {
  const url = new URL(raw.path, baseUrl);
  const body = typeof raw.body === 'string' ? Buffer.from(raw.body, 'utf8') : raw.body;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(raw.headers ?? {})) {
    headers[name] = typeof value === 'string' ? value : [...value];
  }
  if (body !== undefined || METHODS_WITH_BODY.has(raw.method)) {
    headers['Content-Length'] = String(body?.byteLength ?? 0);
  }
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: raw.method,
        path: url.pathname + url.search,
        headers,
        // A fresh connection per request: no test can see another's keep-alive state.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    // Node writes the head as latin-1 only when the body is a Buffer (or absent); a string body
    // would send the head as UTF-8 and turn byte 0xB8 into 0xC2 0xB8.
    if (body === undefined || body.byteLength === 0) req.end();
    else req.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  });
}
