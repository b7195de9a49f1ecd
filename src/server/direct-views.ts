import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyHttpOptions } from 'fastify';
import { nodeViewRequest } from '../core/http/node-view-request.js';
import { writeViewResponse } from '../core/http/node-view-response.js';
import { pathOf } from '../core/http/query-param.js';
import type { View } from '../core/http/view.js';
import { isPromiseLike } from '../core/maybe-promise.js';
import { boundIdleConnections } from './idle-connections.js';

/** Options of `directViews`. */
export interface DirectViewsOptions {
  /** False: Fastify answers every request (the access log on, or `directViews: false`). */
  readonly enabled: boolean;
  /** Largest body a handler may read, in bytes (413 beyond). */
  readonly maxBodyBytes: number;
  /** Told about every 5xx answer, as the Fastify route's reporter. */
  readonly reportError: (error: unknown) => void;
}

/** The views the reference server answers from Node's request event, and its HTTP server. */
export interface DirectViews {
  /**
   * A Fastify `serverFactory`: Node's server with Fastify's bounds on slow clients and heads, the
   * idle bound checked on a timer (`boundIdleConnections`).
   */
  readonly serverFactory: (
    fastifyHandler: (request: IncomingMessage, response: ServerResponse) => void,
    options: FastifyHttpOptions<Server>,
  ) => Server;
  /** Answers `path` (a path without parameters) with `view`, before Fastify routes it. */
  add(path: string, view: View): void;
  /** From now on Fastify answers every request (its 503 while the server closes). */
  stop(): void;
}

/**
 * Every request pays for the framework's routing, request and reply objects and hooks, which cost
 * the reference server more than tessera's whole check on a cached key. A request for one of the
 * views' own paths (exactly, before the query string) is therefore answered straight from Node's
 * request event with `writeViewResponse`, as tessera's `node:http` adapter answers; the same views
 * are mounted on Fastify too, which answers everything else (other paths, `app.inject`, every
 * request once the server closes). Both give the same answer: the hostile-request and DRF parity
 * suites run against this server and the adapters alike.
 */
export function directViews(options: DirectViewsOptions): DirectViews {
  const views = new Map<string, View>();
  let answering = options.enabled;
  // The same for every request: made once.
  const requestOptions = { maxBodyBytes: options.maxBodyBytes };
  const handleOptions = { reportError: options.reportError };

  function answer(view: View, request: IncomingMessage, response: ServerResponse): void {
    const answered = view.handle(nodeViewRequest(request, requestOptions), handleOptions);
    if (!isPromiseLike(answered)) {
      writeViewResponse(response, answered);
      return;
    }
    answered
      .then((settled) => writeViewResponse(response, settled))
      .catch((error: unknown) => {
        // `handle` renders every error; a failure to write is all that can reach here.
        options.reportError(error);
        response.destroy();
      });
  }

  return {
    serverFactory(fastifyHandler, fastifyOptions) {
      const listener = (request: IncomingMessage, response: ServerResponse): void => {
        if (answering) {
          const view = views.get(pathOf(request.url ?? '/'));
          if (view !== undefined) {
            answer(view, request, response);
            return;
          }
        }
        fastifyHandler(request, response);
      };
      // What Fastify does for its own HTTP/1 server: the same bounds on slow clients and heads,
      // but the idle bound (Fastify's `connectionTimeout`) is checked on a timer.
      const server = createServer(fastifyOptions.http ?? {}, listener);
      server.keepAliveTimeout = fastifyOptions.keepAliveTimeout ?? server.keepAliveTimeout;
      server.requestTimeout = fastifyOptions.requestTimeout ?? server.requestTimeout;
      if (fastifyOptions.connectionTimeout) {
        boundIdleConnections(server, fastifyOptions.connectionTimeout);
      }
      return server;
    },
    add(path, view) {
      if (options.enabled && !path.includes(':') && !path.includes('*')) views.set(path, view);
    },
    stop() {
      answering = false;
    },
  };
}
