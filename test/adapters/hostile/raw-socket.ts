import { connect, type Socket } from 'node:net';

/** One answer as it came off the wire: status, header lines, body, and how it was framed. */
export interface WireAnswer {
  readonly status: number;
  /** Header names lower-cased; a repeated header keeps every value, in order. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: string;
  /** `length` (Content-Length), `chunked`, or `close` (the body ran to the connection's end). */
  readonly framing: 'length' | 'chunked' | 'close' | 'none';
  /** Interim `1xx` statuses sent before the answer (`100 Continue`). */
  readonly interim: readonly number[];
}

/** How the request bytes go out. */
export interface SendPlan {
  /** The request head and body, exactly as written. */
  readonly bytes: Buffer | string;
  /** Writes this many bytes at a time, with `pauseMs` between writes (a trickling client). */
  readonly trickle?: { readonly size: number; readonly pauseMs: number };
  /** Sent after the first interim `100 Continue`, or after 300 ms without one. */
  readonly afterContinue?: Buffer | string;
  /** HEAD requests: the answer has no body whatever its framing headers say. */
  readonly head?: boolean;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function connectTo(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

interface Head {
  readonly status: number;
  readonly headers: Record<string, string[]>;
  readonly end: number;
}

function parseHead(data: Buffer, from: number): Head | undefined {
  const end = data.indexOf('\r\n\r\n', from);
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = data.subarray(from, end).toString('latin1').split('\r\n');
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const values = headers[name] ?? [];
    values.push(line.slice(colon + 1).trim());
    headers[name] = values;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, end: end + 4 };
}

/** The chunked body starting at `from`, or undefined while incomplete. */
function dechunk(data: Buffer, from: number): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (size === 0) return data.indexOf('\r\n', lineEnd + 2) < 0 ? undefined : Buffer.concat(parts);
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

function answerFrom(data: Buffer, closed: boolean, head: boolean): WireAnswer | undefined {
  const interim: number[] = [];
  let from = 0;
  for (;;) {
    const parsed = parseHead(data, from);
    if (!parsed) return undefined;
    if (parsed.status >= 100 && parsed.status < 200) {
      interim.push(parsed.status);
      from = parsed.end;
      continue;
    }
    const { status, headers, end } = parsed;
    const length = headers['content-length']?.[0];
    const chunked = headers['transfer-encoding']?.[0]?.toLowerCase() === 'chunked';
    const framing =
      length !== undefined ? 'length' : chunked ? 'chunked' : closed ? 'close' : 'none';
    if (head || status === 204 || status === 304) {
      return { status, headers, body: '', framing, interim };
    }
    if (length !== undefined) {
      if (data.length < end + Number(length)) return undefined;
      const body = data.subarray(end, end + Number(length)).toString('utf8');
      return { status, headers, body, framing, interim };
    }
    if (chunked) {
      const body = dechunk(data, end);
      return body && { status, headers, body: body.toString('utf8'), framing, interim };
    }
    if (!closed) return undefined;
    return { status, headers, body: data.subarray(end).toString('utf8'), framing, interim };
  }
}

/**
 * Sends exact bytes over a fresh connection and reads one answer (after any `1xx`). Resolves
 * once the answer is complete, or when the server closes; rejects after `timeoutMs`.
 * @example
 * await exchange(port, { bytes: 'PROPFIND /api/build-trigger/ HTTP/1.1\r\nHost: x\r\n\r\n' });
 */
export async function exchange(
  port: number,
  plan: SendPlan,
  timeoutMs = 10_000,
): Promise<WireAnswer> {
  const socket = await connectTo(port);
  const received: Buffer[] = [];
  let closed = false;
  let sawContinue: () => void = () => {};
  const continued = new Promise<void>((resolve) => {
    sawContinue = resolve;
  });
  const answer = new Promise<WireAnswer>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms: ${Buffer.concat(received)}`));
    }, timeoutMs);
    const check = () => {
      const data = Buffer.concat(received);
      if (/^HTTP\/1\.1 100 /.test(data.toString('latin1'))) sawContinue();
      const parsed = answerFrom(data, closed, plan.head ?? false);
      if (parsed) {
        clearTimeout(timer);
        socket.destroy();
        resolve(parsed);
      } else if (closed) {
        clearTimeout(timer);
        reject(new Error(`connection closed before a complete answer: ${data}`));
      }
    };
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      check();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      check();
    });
  });
  const bytes = Buffer.from(
    plan.bytes as string,
    typeof plan.bytes === 'string' ? 'latin1' : undefined,
  );
  try {
    if (plan.trickle) {
      for (let at = 0; at < bytes.length && !closed; at += plan.trickle.size) {
        socket.write(bytes.subarray(at, at + plan.trickle.size));
        await sleep(plan.trickle.pauseMs);
      }
    } else {
      socket.write(bytes);
    }
    if (plan.afterContinue !== undefined) {
      await Promise.race([continued, sleep(300)]);
      if (!closed) socket.write(plan.afterContinue);
    }
  } catch {
    // The server may answer and close before it has read everything.
  }
  return answer;
}

/**
 * Writes a request head that declares a body, part of the body, then resets the connection
 * (TCP RST): the client's abort, mid-body.
 */
export async function abortMidBody(port: number, head: string, part: string): Promise<void> {
  const socket = await connectTo(port);
  socket.on('error', () => {});
  socket.write(Buffer.from(head + part, 'latin1'));
  await sleep(50);
  socket.resetAndDestroy();
  await sleep(150);
}

/** A request head, its lines joined with CRLF, ending with the blank line. */
export function head(requestLine: string, lines: readonly string[]): string {
  return `${[requestLine, 'Host: 127.0.0.1', ...lines].join('\r\n')}\r\n\r\n`;
}
