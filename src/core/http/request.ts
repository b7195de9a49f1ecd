import type { Token } from '../tokens/token.js';
import type { RequestUser } from '../users/user.js';

/** What an adapter hands the core for one HTTP request. Header names are lowercase. */
export interface ViewRequest {
  /** Upper-case method, e.g. `POST`. */
  readonly method: string;
  /**
   * One header's value as a latin-1 string (Node's decoding), or undefined when absent. A header
   * sent more than once reads as DRF behind gunicorn reads it: its lines joined with `,`
   * (`Content-Type`: the last line), as `headerFromLines` says.
   */
  header(name: string): string | undefined;
  /** One query-string parameter (DRF reads `format` from it). */
  query(name: string): string | undefined;
  /** Every value of a repeated query-string parameter, in order (`?scope=a&scope=b`). */
  queryAll?(name: string): readonly string[];
  /** The raw body, read once and only when a handler asks for it; enforces the size limit. */
  readBody(): Promise<Uint8Array>;
  /**
   * The body as the host framework already parsed it (Express's `express.json()` ran first and
   * consumed the stream), boxed so an absent body stays distinct; `data()` then returns it as is.
   */
  readonly hostParsedBody?: { readonly data: unknown };
  /** The peer address (or the client address derived from trusted proxies). */
  readonly remoteAddress: string | undefined;
}

/** A request after authentication, as permissions and handlers see it (DRF's `Request`). */
export interface Request {
  readonly method: string;
  readonly user: RequestUser;
  /** The token that authenticated the request, or null (DRF's `request.auth`). */
  readonly auth: Token | null;
  /** Route parameters the adapter matched, e.g. `{ id: '3' }`. */
  readonly params: Readonly<Record<string, string>>;
  readonly raw: ViewRequest;
  /** The parsed body (DRF's `request.data`); parsed on first call, so 415/400 only arise here. */
  data(): Promise<unknown>;
}
