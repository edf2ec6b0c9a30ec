import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { buildClaimgraphSchema } from '../../src/schema';
import { createServer, type ClaimgraphServer } from '../../src/server';
import type { TestApp } from './app';

export interface HardenedServer {
  server: ClaimgraphServer;
  baseUrl: string;
  graphqlUrl: string;
  /** Every JSON log line the server wrote, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** A second server on the test app's database, with its own configuration and a captured log. */
export async function startServer(app: TestApp, env: Record<string, string> = {}): Promise<HardenedServer> {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  // no webhook worker: its polling would add statements to the SQL counts these tests assert
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: app.databaseUrl, LOG_LEVEL: 'info', WEBHOOK_WORKER: 'false', ...env });
  const server = await createServer({ config, dataSource: app.dataSource, schema: await buildClaimgraphSchema(), log: pino({ level: config.logLevel }, sink) });
  const port = await server.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    server,
    baseUrl,
    graphqlUrl: `${baseUrl}/graphql`,
    logs,
    async close() {
      await server.stop();
      if (server.httpServer.listening) await new Promise((resolve) => server.httpServer.close(resolve));
    },
  };
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: any;
}

export async function postGraphQL(url: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}
