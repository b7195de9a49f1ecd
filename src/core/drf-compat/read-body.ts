import { PayloadTooLarge } from '../errors.js';

/**
 * Collects a request body of at most `limitBytes`. Throws `PayloadTooLarge` before reading when
 * the declared Content-Length is over the limit, and as soon as the bytes read go over it. It
 * then stops pulling without destroying the stream, so the caller can still answer 413 (and
 * should close the connection); nothing past the limit is kept.
 * @example
 * const body = await readBody(request, 1024 * 1024, Number(request.headers['content-length']));
 */
export async function readBody(
  stream: AsyncIterable<Uint8Array>,
  limitBytes: number,
  declaredLength?: number,
): Promise<Uint8Array> {
  if (declaredLength !== undefined && declaredLength > limitBytes) throw new PayloadTooLarge();
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Not `for await`: leaving that loop early calls `return()`, which destroys a Node request
  // and its socket before the 413 can be sent.
  const iterator = stream[Symbol.asyncIterator]();
  for (;;) {
    const { done, value } = await iterator.next();
    if (done) break;
    total += value.length;
    if (total > limitBytes) throw new PayloadTooLarge();
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}
