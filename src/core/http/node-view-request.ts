import type { IncomingHttpHeaders } from 'node:http';
import { DEFAULT_SETTINGS } from '../config/settings.js';
import { headerFromLines } from '../drf-compat/header-lines.js';
import { allQueryParams, lastQueryParam } from './query-param.js';
import type { ViewRequest } from './request.js';
import { readRequestBody } from './request-body.js';

/** The part of Node's `IncomingMessage` a view reads (Express and Nest requests are ones). */
export interface NodeRequestMessage extends AsyncIterable<Uint8Array> {
  readonly method?: string | undefined;
  /** The path and query string, e.g. `/api-token-auth/?format=json`. */
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
  /** The header lines as received (name, value, name, …); repeated headers are read from them. */
  readonly rawHeaders?: readonly string[];
  readonly socket?: { readonly remoteAddress?: string | undefined } | undefined;
  /** True once another reader has consumed the body. */
  readonly readableEnded?: boolean;
}

/** Options of `nodeViewRequest`. */
export interface NodeViewRequestOptions {
  /** Largest body a handler may read, in bytes (413 beyond). Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** The client address when the framework knows better than the socket (trusted proxies). */
  readonly remoteAddress?: string | undefined;
  /** The path and query when the framework rewrote `message.url` (a mounted sub-router). */
  readonly url?: string | undefined;
}

/**
 * Turns a Node request into the core's view of it, for adapters on `node:http` (plain Node,
 * Express, NestJS, Fastify's `request.raw`). Header values stay the latin-1 strings Node decoded,
 * so bytes above 0x7F reach the authenticators as DRF sees them. They are read from the lines as
 * received (`rawHeaders`), so a repeated header reads as DRF behind gunicorn reads it
 * (`headerFromLines`); a middleware's later edits to `headers` are not seen.
 * @example
 * const response = await view.handle(nodeViewRequest(req, { maxBodyBytes: 65536 }));
 */
export function nodeViewRequest(
  message: NodeRequestMessage,
  options: NodeViewRequestOptions = {},
): ViewRequest {
  return new NodeViewRequest(message, options);
}

// One object per request with its methods on the prototype: every request makes one, so no
// closures are made for it.
class NodeViewRequest implements ViewRequest {
  readonly method: string;
  readonly remoteAddress: string | undefined;
  readonly #message: NodeRequestMessage;
  readonly #url: string;
  readonly #maxBodyBytes: number | undefined;

  constructor(message: NodeRequestMessage, options: NodeViewRequestOptions) {
    this.#message = message;
    this.#url = options.url ?? message.url ?? '/';
    this.#maxBodyBytes = options.maxBodyBytes;
    this.method = message.method ?? 'GET';
    this.remoteAddress = options.remoteAddress ?? message.socket?.remoteAddress;
  }

  header(name: string): string | undefined {
    const { headers, rawHeaders } = this.#message;
    if (rawHeaders) return headerFromLines(rawHeaders, name);
    // A message without its lines (a test double): Node's parsed headers, arrays joined alike.
    const value = headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  }

  query(name: string): string | undefined {
    return lastQueryParam(this.#url, name);
  }

  queryAll(name: string): readonly string[] {
    return allQueryParams(this.#url, name);
  }

  async readBody(): Promise<Uint8Array> {
    const message = this.#message;
    if (message.readableEnded) {
      // Parsing an empty body would answer "This field is required.", hiding the real cause.
      throw new Error(
        'tessera: the request body was already read by another body parser; mount tessera ' +
          'views before body-parsing middleware (NestJS: create the app with bodyParser: false)',
      );
    }
    const declared = message.headers['content-length'];
    return readRequestBody(
      message,
      this.#maxBodyBytes ?? DEFAULT_SETTINGS.maxBodyBytes,
      declared === undefined ? undefined : Number(declared),
    );
  }
}
