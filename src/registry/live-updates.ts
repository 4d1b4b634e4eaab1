import type { ServerResponse } from 'node:http';

/**
 * Server-Sent Events to open fleet pages: "something changed" (and which sites), at most once per `intervalMs`
 * per burst of commits, so a gateway replaying thousands of events costs each page a few refreshes.
 */
export class LiveUpdates {
  private readonly clients = new Set<ServerResponse>();
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly opts: { intervalMs?: number; heartbeatMs?: number; maxClients?: number } = {}) {}

  get size(): number {
    return this.clients.size;
  }

  /** Takes over `res` as an event stream; false when the client limit is reached. */
  add(res: ServerResponse): boolean {
    if (this.clients.size >= (this.opts.maxClients ?? 100)) return false;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    this.heartbeat ??= setInterval(() => this.send(': keepalive\n\n'), this.opts.heartbeatMs ?? 20_000);
    this.heartbeat.unref();
    return true;
  }

  changed(sites: Iterable<string>): void {
    for (const s of sites) this.pending.add(s);
    if (this.timer || this.clients.size === 0) {
      if (this.clients.size === 0) this.pending.clear();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const sites = [...this.pending].sort();
      this.pending = new Set();
      this.send(`event: change\ndata: ${JSON.stringify({ sites })}\n\n`);
    }, this.opts.intervalMs ?? 500);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.timer = undefined;
    this.heartbeat = undefined;
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private send(chunk: string): void {
    for (const res of this.clients) res.write(chunk);
  }
}
