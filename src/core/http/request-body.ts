import { readBody } from '../drf-compat/read-body.js';
import { ApiError } from '../errors.js';

/**
 * The connection closed before the body had all arrived: the client left, or the server's request
 * timeout ended it. No one is left to answer, and it is no fault of the server's: a 4xx keeps it
 * out of the error log, which a crowd of slow clients would otherwise fill.
 */
export class BodyCutShort extends ApiError {
  constructor() {
    super(400, 'body_cut_short', 'The connection closed before the request body arrived.');
  }
}

// Node's IncomingMessage fails its reader with `aborted` (ECONNRESET) when its socket closes;
// `@hono/node-server` passes the same error through the Fetch body.
function wasCutShort(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/**
 * Reads a request's body for an adapter, as `readBody` does (413 past `limitBytes`); a connection
 * that closes mid-body gives `BodyCutShort` instead of a server error.
 * @example
 * const body = await readRequestBody(request, 1024 * 1024, Number(request.headers['content-length']));
 */
export async function readRequestBody(
  stream: AsyncIterable<Uint8Array>,
  limitBytes: number,
  declaredLength: number | undefined,
): Promise<Uint8Array> {
  try {
    return await readBody(stream, limitBytes, declaredLength);
  } catch (error) {
    throw wasCutShort(error) ? new BodyCutShort() : error;
  }
}
