import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readBody } from '../core/body/read-body.js';
import type { ViewRequest } from '../core/request.js';
import type { View } from '../core/view.js';
import type { ViewResponse } from '../core/view-response.js';

/** Options of `mountView`. */
export interface MountOptions {
  /** Largest body a handler may read, in bytes (413 beyond). Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Turns a Fastify request into the core's view of it; the body is read from the raw stream. */
export function toViewRequest(request: FastifyRequest, maxBodyBytes: number): ViewRequest {
  const headers = request.raw.headers;
  return {
    method: request.method,
    header(name) {
      const value = headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    query(name) {
      const value = (request.query as Record<string, string | string[] | undefined>)[name];
      return Array.isArray(value) ? value[value.length - 1] : value;
    },
    readBody() {
      const declared = headers['content-length'];
      return readBody(
        request.raw,
        maxBodyBytes,
        declared === undefined ? undefined : Number(declared),
      );
    },
    remoteAddress: request.ip,
  };
}

/** Sends a core response through Fastify. */
export function sendViewResponse(reply: FastifyReply, response: ViewResponse): FastifyReply {
  reply.code(response.status).headers(response.headers);
  // A Buffer keeps DRF's exact `Content-Type: application/json`; for a string Fastify would
  // append `; charset=utf-8`.
  return response.body === '' ? reply.send() : reply.send(Buffer.from(response.body));
}

/**
 * Mounts a view on every method of `path`, so DRF's order holds: authentication and permissions
 * answer before a 405, and every answer carries `Allow`. The view runs in `onRequest`, before
 * Fastify parses any body; a handler reads the body through the core's parsers.
 * @example
 * mountView(app, '/api/build-trigger/', buildTrigger);
 */
export function mountView(
  app: FastifyInstance,
  path: string,
  view: View,
  options: MountOptions = {},
): void {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  app.all(path, {
    onRequest: async (request, reply) => {
      const response = await view.handle(toViewRequest(request, maxBodyBytes), {
        params: request.params as Record<string, string>,
        reportError: (error) => request.log.error({ err: error }, 'view failed'),
      });
      return sendViewResponse(reply, response);
    },
    // Never reached: onRequest always answers.
    handler: async (_request, reply) => reply,
  });
}
