import { createServer, type Server } from 'node:http';
import type { AgentModule } from '../model/agent-module.js';
import { parseListen } from '../util/listen-address.js';
import { renderMetrics } from '../util/prometheus-text.js';

export interface HealthSource {
  /** Module name → facts; numbers become Prometheus gauges. */
  health(): Record<string, Record<string, number | string | boolean>>;
}

/** Local /healthz and Prometheus /metrics; binds only where configured (default loopback). */
export class HealthServer implements AgentModule {
  readonly name = 'health-http';
  private server: Server | undefined;
  private boundPort: number | undefined;

  constructor(
    private readonly listen: string,
    private readonly source: HealthSource,
    private readonly isReady: () => boolean,
  ) {}

  get port(): number | undefined {
    return this.boundPort;
  }

  async start(): Promise<void> {
    const { host, port } = parseListen(this.listen);
    this.server = createServer((req, res) => {
      if (req.method !== 'GET') {
        res.writeHead(405).end();
        return;
      }
      if (req.url === '/healthz') {
        const ready = this.isReady();
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: ready ? 'ok' : 'starting', modules: this.source.health() }));
        return;
      }
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(renderMetrics(this.source.health()));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, host, () => resolve());
    });
    const address = this.server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
