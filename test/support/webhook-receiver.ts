import http from 'node:http';

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  at: number;
}

export type ReceiverMode = 'ok' | 'fail' | 'hang';

/**
 * A local webhook receiver on 127.0.0.1: records what it gets; answers 200 ('ok'), 503 ('fail')
 * or nothing at all ('hang', until the sender gives up or dies). `delayMs` slows each answer.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  mode: ReceiverMode = 'ok';
  delayMs = 0;
  /** Answer bodies this large (to test the sender's response cap). */
  responseBytes = 2;
  private readonly server = http.createServer((request, response) => {
    let body = '';
    request
      .setEncoding('utf8')
      .on('data', (chunk: string) => (body += chunk))
      .on('end', () => {
        const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
        const answer = () => {
          if (this.mode === 'hang') {
            this.hung.push({ headers, body, at: Date.now() });
            return;
          }
          this.received.push({ headers, body, at: Date.now() });
          if (this.mode === 'fail') response.writeHead(503).end('down for maintenance');
          else response.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(this.responseBytes));
        };
        if (this.delayMs) setTimeout(answer, this.delayMs);
        else answer();
      });
  });
  /** Requests held open in 'hang' mode. */
  readonly hung: ReceivedWebhook[] = [];
  url = '';

  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/hooks`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** The received bodies, parsed. */
  payloads(): any[] {
    return this.received.map((entry) => JSON.parse(entry.body));
  }

  async waitFor(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting; received ${this.received.length}, hung ${this.hung.length}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
