import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { readBody } from '../../../src/core/drf-compat/read-body.js';
import { PayloadTooLarge } from '../../../src/core/errors.js';

/** A stream of the given chunks that records how it is pulled. */
function recordingStream(chunks: readonly string[]) {
  const pulled = { next: 0, returned: false };
  const stream: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      let index = 0;
      return {
        async next() {
          pulled.next++;
          const chunk = chunks[index++];
          return chunk === undefined
            ? { done: true, value: undefined }
            : { done: false, value: new TextEncoder().encode(chunk) };
        },
        async return() {
          pulled.returned = true;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { stream, pulled };
}

function text(body: Uint8Array): string {
  return new TextDecoder().decode(body);
}

describe('readBody', () => {
  test('joins the chunks', async () => {
    const { stream } = recordingStream(['ab', 'cd', 'e']);
    assert.equal(text(await readBody(stream, 100)), 'abcde');
  });

  test('an empty stream is an empty body', async () => {
    const { stream } = recordingStream([]);
    assert.equal((await readBody(stream, 100)).length, 0);
  });

  test('a body exactly at the limit is read', async () => {
    const { stream } = recordingStream(['12345', '67890']);
    assert.equal(text(await readBody(stream, 10, 10)), '1234567890');
  });

  test('a declared length over the limit is refused before reading', async () => {
    const { stream, pulled } = recordingStream(['x']);
    await assert.rejects(readBody(stream, 10, 11), PayloadTooLarge);
    assert.equal(pulled.next, 0);
  });

  test('without a declared length, reading stops at the chunk that passes the limit', async () => {
    const { stream, pulled } = recordingStream(['12345', '678901', 'never read']);
    await assert.rejects(readBody(stream, 10), (error: unknown) => {
      assert.ok(error instanceof PayloadTooLarge);
      assert.equal(error.status, 413);
      return true;
    });
    assert.equal(pulled.next, 2);
    // The stream is left as it is, so the caller can still answer on the same connection.
    assert.equal(pulled.returned, false);
  });

  test('a declared length under the limit does not excuse a longer body', async () => {
    const { stream, pulled } = recordingStream(['123456', '789012']);
    await assert.rejects(readBody(stream, 10, 4), PayloadTooLarge);
    assert.equal(pulled.next, 2);
  });

  test('an unreadable declared length (NaN) is ignored', async () => {
    const { stream } = recordingStream(['abc']);
    assert.equal(text(await readBody(stream, 10, Number('x'))), 'abc');
  });

  test('reads a Node stream without destroying it on overflow', async () => {
    const stream = Readable.from([Buffer.from('12345'), Buffer.from('678901'), Buffer.from('z')], {
      objectMode: false,
    });
    await assert.rejects(readBody(stream, 10), PayloadTooLarge);
    assert.equal(stream.destroyed, false);
    assert.equal(text(await readBody(Readable.from([Buffer.from('ok')]), 10)), 'ok');
  });
});
