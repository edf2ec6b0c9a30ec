import http from 'node:http';
import pg from 'pg';
import { LIMIT_ARTICLE_PAGE_SQL } from './queries';

/**
 * The limit beside (a): a bare Node HTTP handler that answers the reviewer article page with one
 * hand-written, prepared json_agg statement through pg. POST {"id": "<article uuid>"} to /article.
 * Run as its own process by the benchmark (DATABASE_URL, PORT; DB_POOL_SIZE as the server's).
 */
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_SIZE ?? 10),
  application_name: 'claimgraph-bench-limit',
});

const server = http.createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/healthz') {
    response.end('ok');
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    let id: string;
    try {
      id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string }).id;
    } catch {
      response.writeHead(400).end();
      return;
    }
    pool.query<{ body: string }>({ name: 'article_page', text: LIMIT_ARTICLE_PAGE_SQL, values: [id] }).then(
      ({ rows }) => {
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(rows[0].body);
      },
      (error: Error) => {
        response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: error.message }] }));
      },
    );
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
});

const stop = () => {
  server.close();
  void pool.end().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
