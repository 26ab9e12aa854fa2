// A tiny HTTP front for the fault suite, standing in for a Kubernetes Service in front of two
// instances: round-robin, and a request whose connection an instance refuses (it is dead or not
// listening yet) goes to the other one, which is what readiness gives a Service. A request an
// instance accepted and then dropped is not resent — it may have been carried out — so the client
// sees that failure, as it would in production.
import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';

export class Front {
  private next = 0;
  /** Instances that refused a connection are skipped until this time (epoch ms). */
  private readonly downUntil = new Map<number, number>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
    private backends: number[],
  ) {}

  static async start(backends: number[]): Promise<Front> {
    let front: Front | undefined;
    const server = createServer((req, res) => front!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    front = new Front(server, (server.address() as { port: number }).port, backends);
    return front;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setBackends(ports: number[]): void {
    this.backends = [...ports];
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = Date.now();
      const start = this.next++;
      const order = this.backends.map((_, i) => this.backends[(start + i) % this.backends.length]);
      // instances marked down go last, not never: both may have come back
      const ranked = [
        ...order.filter((p) => (this.downUntil.get(p) ?? 0) <= now),
        ...order.filter((p) => (this.downUntil.get(p) ?? 0) > now),
      ];
      this.forward(req, res, Buffer.concat(chunks), ranked);
    });
  }

  private forward(req: IncomingMessage, res: ServerResponse, body: Buffer, ports: number[]): void {
    const [port, ...rest] = ports;
    if (port === undefined) return this.fail(res, 503, 'no instance accepted the connection');
    const upstream = request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, connection: 'close' },
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED' && !res.headersSent) {
        this.downUntil.set(port, Date.now() + 1000);
        return this.forward(req, res, body, rest);
      }
      if (!res.headersSent) this.fail(res, 502, `instance on ${port}: ${e.code ?? e.message}`);
      else res.destroy();
    });
    upstream.end(body);
  }

  private fail(res: ServerResponse, status: number, detail: string): void {
    res.writeHead(status, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ type: 'about:blank', title: 'front: no answer', status, detail }));
  }
}
