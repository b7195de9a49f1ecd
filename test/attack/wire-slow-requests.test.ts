import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PasswordHasher } from '../../src/core/passwords/index.js';
import { systemClock } from '../../src/core/time/clock.js';
import { issueDefaultToken } from '../../src/core/tokens/token-issuer.js';
import { createUser } from '../../src/core/users/users.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import { ServerNode } from '../multi-node/node-process.js';
import { inParallel, loopbackAddress, requestFrom } from './support/loopback-client.js';

// Short bounds for the test; the defaults (docs/reference-server.md, "Timeouts") are 10 s, 30 s, 30 s and 5 s.
const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;
const IDLE_TIMEOUT_MS = 1000;
const KEEP_ALIVE_TIMEOUT_MS = 1000;
// How long the test waits for the server to close every connection: the bounds are checked once
// a second at most, so this leaves several seconds of slack on a loaded machine. Before the fix
// the server held every one of these connections for as long as the client wished.
const DEADLINE_MS = REQUEST_TIMEOUT_MS + 6000;
// Each trickler sends one byte this often: more often than the idle bound, so only the
// whole-request bound can end it.
const TRICKLE_EVERY_MS = 250;

/** One raw connection from its own loopback address: what it got back and when it closed. */
class Connection {
  readonly socket: Socket;
  received = '';
  closedAfterMs: number | undefined;
  readonly #opened = Date.now();
  #timer: NodeJS.Timeout | undefined;

  constructor(url: string, address: string) {
    const { hostname, port } = new URL(url);
    this.socket = connect({ host: hostname, port: Number(port), localAddress: address });
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => {
      this.received += chunk;
    });
    // A reset is one way for the server to close; the test only asks that it did.
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.closedAfterMs = Date.now() - this.#opened;
      this.stopTrickling();
    });
  }

  send(text: string): void {
    if (!this.socket.destroyed) this.socket.write(text, 'latin1');
  }

  /** Writes `next()` every `everyMs` until the connection closes. */
  trickle(everyMs: number, next: () => string): void {
    this.#timer = setInterval(() => this.send(next()), everyMs);
  }

  stopTrickling(): void {
    clearInterval(this.#timer);
  }

  get closed(): boolean {
    return this.closedAfterMs !== undefined;
  }

  /** The status line's code of the first response, or undefined when none came. */
  get firstStatus(): number | undefined {
    const match = /^HTTP\/1\.1 (\d{3}) /.exec(this.received);
    return match ? Number(match[1]) : undefined;
  }
}

function head(path: string, lines: readonly string[]): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines.map((line) => `${line}\r\n`).join('')}\r\n`;
}

async function allClosed(connections: readonly Connection[], deadlineMs: number): Promise<void> {
  const start = Date.now();
  while (connections.some((connection) => !connection.closed)) {
    if (Date.now() - start > deadlineMs) break;
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe('attack: slow requests against `tessera serve` (headers, body, idle and keep-alive bounds)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-wire-'));
  let server: ServerNode;
  let key = '';

  before(async () => {
    const file = join(dir, 'db.sqlite3');
    const store = openSqliteStore({ filename: file });
    await store.migrate();
    const passwords = new PasswordHasher({ iterations: 1000 });
    const user = await createUser(store, passwords, systemClock, { username: 'alice' });
    key = (await issueDefaultToken(store, user.id, systemClock)).key;
    await store.close();
    server = await ServerNode.start({
      DATABASE_URL: `sqlite:${file}`,
      TESSERA_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      TESSERA_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      TESSERA_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
      TESSERA_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
    });
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('100 clients trickling a body, and slow heads, silent and idle clients, are all closed while a normal client is served', async (t) => {
    const connections: Connection[] = [];
    const open = (n: number) => {
      const connection = new Connection(server.url, loopbackAddress(n));
      connections.push(connection);
      return connection;
    };
    // 100 bodies, one byte at a time, to a view that reads its body (obtain-token).
    const bodies = Array.from({ length: 100 }, (_, n) => {
      const connection = open(n);
      connection.send(
        head('/api-token-auth/', ['Content-Type: application/json', 'Content-Length: 100000']),
      );
      connection.trickle(TRICKLE_EVERY_MS, () => ' ');
      return connection;
    });
    // Slowloris: the head itself, one header line at a time.
    const heads = Array.from({ length: 10 }, (_, n) => {
      const connection = open(100 + n);
      connection.send('POST /api/build-trigger/ HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      let line = 0;
      connection.trickle(TRICKLE_EVERY_MS, () => `X-Slow-${line++}: 1\r\n`);
      return connection;
    });
    // Connect and say nothing.
    const silent = Array.from({ length: 10 }, (_, n) => open(110 + n));
    // A head and a few bytes of the body, then nothing.
    const stalled = Array.from({ length: 10 }, (_, n) => {
      const connection = open(120 + n);
      connection.send(
        head('/api-token-auth/', ['Content-Type: application/json', 'Content-Length: 1000']),
      );
      connection.send('{"username":');
      return connection;
    });
    // One complete request on a kept-alive connection, then silence.
    const keptAlive = Array.from({ length: 10 }, (_, n) => {
      const connection = open(130 + n);
      connection.send(
        head('/api/build-trigger/', [`Authorization: Token ${key}`, 'Content-Length: 0']),
      );
      return connection;
    });

    try {
      // A normal client keeps being served while all of the above hold their connections.
      const served = await inParallel(
        2,
        Array.from({ length: 20 }, (_, n) => async () => {
          await new Promise((done) => setTimeout(done, 50));
          return requestFrom(loopbackAddress(200 + n), {
            url: `${server.url}/api/build-trigger/`,
            method: 'POST',
            headers: { Authorization: `Token ${key}` },
          });
        }),
      );
      assert.deepEqual(
        served.map((response) => response.status),
        served.map(() => 200),
      );

      await allClosed(connections, DEADLINE_MS);
      const open = (group: readonly Connection[]) => group.filter((c) => !c.closed).length;
      assert.deepEqual(
        {
          bodies: open(bodies),
          heads: open(heads),
          silent: open(silent),
          stalled: open(stalled),
          keptAlive: open(keptAlive),
        },
        { bodies: 0, heads: 0, silent: 0, stalled: 0, keptAlive: 0 },
        `connections still open ${DEADLINE_MS} ms after they started`,
      );
      // A request the server timed out gets 408 before the close (docs/reference-server.md, "Timeouts").
      assert.deepEqual(
        [...new Set([...bodies, ...heads].map((connection) => connection.firstStatus))],
        [408],
      );
      // A kept-alive connection got its answer, then was closed for idling.
      assert.deepEqual([...new Set(keptAlive.map((connection) => connection.firstStatus))], [200]);
      const slowest = Math.max(...connections.map((connection) => connection.closedAfterMs ?? 0));
      t.diagnostic(`slowest close after ${slowest} ms`);
    } finally {
      for (const connection of connections) {
        connection.stopTrickling();
        connection.socket.destroy();
      }
    }
  });
});
