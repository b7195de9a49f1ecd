import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy a test controls, put between tessera and a database so a fault can be made without
 * touching the shared server: `cut()` drops every connection and refuses new ones, `blackhole()`
 * accepts connections and forwards nothing, `freeze()` leaves open connections open but silent
 * (a network that died without a word), `restore()` forwards again.
 */
export class TcpProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #mode: 'forward' | 'refuse' | 'blackhole' = 'forward';
  readonly #links = new Set<{ client: Socket; upstream: Socket }>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.#server = createServer((client) => this.#accept(client));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  /** Rewrites a database URL to go through the proxy. */
  route(url: string): string {
    const routed = new URL(url);
    routed.hostname = '127.0.0.1';
    routed.port = String(this.port);
    return routed.href;
  }

  cut(): void {
    this.#mode = 'refuse';
    this.#dropAll();
  }

  blackhole(): void {
    this.#mode = 'blackhole';
    this.#dropAll();
  }

  /** Open connections stop carrying bytes but stay open, as on a silently dead network. */
  freeze(): void {
    this.#mode = 'blackhole';
    for (const { client, upstream } of this.#links) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  restore(): void {
    this.#mode = 'forward';
    // Frozen connections stay dead: a real network that comes back does not revive old sessions.
    for (const { client, upstream } of this.#links) {
      client.destroy();
      upstream.destroy();
    }
    this.#links.clear();
  }

  async close(): Promise<void> {
    this.#dropAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.#track(client);
    if (this.#mode === 'refuse') {
      client.destroy();
      return;
    }
    if (this.#mode === 'blackhole') return;
    const upstream = connect(this.targetPort, this.targetHost);
    this.#track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const link = { client, upstream };
    this.#links.add(link);
    const end = () => {
      this.#links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
  }

  #dropAll(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    this.#links.clear();
  }
}
