import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the backend saw of one request. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A backend behind the proxy that answers every request with what it received, as JSON. */
export class EchoBackend {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    /** Every request received, in order. */
    readonly seen: readonly SeenRequest[],
  ) {}

  static async start(port = 0): Promise<EchoBackend> {
    const seen: SeenRequest[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const entry: SeenRequest = {
          method: request.method ?? '',
          path: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        seen.push(entry);
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(entry));
      });
    });
    await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
    return new EchoBackend(server, (server.address() as AddressInfo).port, seen);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((done) => this.server.close(done));
  }
}
