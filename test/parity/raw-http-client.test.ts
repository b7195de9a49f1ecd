import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { sendRaw } from './raw-http-client.js';

const RESPONSE =
  'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Token\r\nContent-Length: 10\r\n' +
  'Connection: close\r\n\r\n{"a":"é"}';

/** Starts a TCP server that records the bytes of one request, answers RESPONSE, and stops. */
async function captureOneRequest<T>(
  send: (baseUrl: string) => Promise<T>,
): Promise<{ bytes: Buffer; result: T }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const received = Buffer.concat(chunks);
      const headEnd = received.indexOf('\r\n\r\n');
      if (headEnd === -1) return;
      const length = /\r\ncontent-length: (\d+)/i.exec(received.subarray(0, headEnd).toString());
      if (received.length >= headEnd + 4 + Number(length?.[1] ?? 0)) socket.end(RESPONSE);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  try {
    const result = await send(`http://127.0.0.1:${address.port}`);
    return { bytes: Buffer.concat(chunks), result };
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('sendRaw', () => {
  test('sends header values byte for byte: latin-1 0xB8 and 0xA0, a tab, surrounding spaces', async () => {
    const { bytes } = await captureOneRequest((baseUrl) =>
      sendRaw(baseUrl, {
        method: 'POST',
        path: '/x/?format=json',
        headers: { Authorization: '  Token\tab\xb8\xa0  ', 'Content-Type': '' },
        body: '{"é":1}',
      }),
    );
    const head = Buffer.from(
      'POST /x/?format=json HTTP/1.1\r\nAuthorization:   Token\tab\xb8\xa0  \r\nContent-Type: \r\n',
      'latin1',
    );
    assert.ok(bytes.subarray(0, head.length).equals(head), bytes.toString('latin1'));
    assert.match(bytes.toString('latin1'), /\r\nContent-Length: 8\r\n/);
    assert.ok(bytes.subarray(bytes.length - 8).equals(Buffer.from('{"é":1}', 'utf8')));
  });

  test('sends a POST without a body with Content-Length 0 and no Content-Type', async () => {
    const { bytes } = await captureOneRequest((baseUrl) =>
      sendRaw(baseUrl, { method: 'POST', path: '/x/' }),
    );
    const text = bytes.toString('latin1');
    assert.match(text, /\r\nContent-Length: 0\r\n/);
    assert.doesNotMatch(text, /content-type|transfer-encoding/i);
  });

  test('returns the status, lower-cased headers and the UTF-8 body', async () => {
    const { result } = await captureOneRequest((baseUrl) =>
      sendRaw(baseUrl, { method: 'GET', path: '/x/' }),
    );
    assert.deepEqual(
      {
        status: result.status,
        wwwAuthenticate: result.headers['www-authenticate'],
        body: result.body,
      },
      { status: 401, wwwAuthenticate: 'Token', body: '{"a":"é"}' },
    );
  });
});
