import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { RequestHandler } from 'express';
import type { renderGraphiQL } from '@graphql-yoga/render-graphiql';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** The page's representations, made once per endpoint path. */
interface RenderedPage {
  etag: string;
  identity: Buffer;
  br: Buffer;
  gzip: Buffer;
}

/** The headers editor starts with the header every request needs, so nobody has to guess where the token goes. */
const DEFAULT_HEADERS = JSON.stringify({ Authorization: 'Bearer <an API token: npm run cli -- token create>' }, null, 2);

/**
 * The renderer holds the whole IDE as strings, several times the memory of everything else the
 * server loads: it is loaded on the first request for the page, never in a process nobody asks
 * for it (the page is off in production by default).
 */
async function html(endpoint: string): Promise<string> {
  const { renderGraphiQL: render } = await import('@graphql-yoga/render-graphiql');
  return render({
    title: 'claimgraph',
    endpoint,
    headers: DEFAULT_HEADERS,
    defaultEditorToolsVisibility: 'headers',
    defaultQuery:
      '# Welcome to claimgraph.\n# Put your token in the Headers tab below, then run this:\n{\n  viewer { name email memberships { role team { slug name } } }\n}\n',
  } as Parameters<typeof renderGraphiQL>[0]);
}

async function render(endpoint: string): Promise<RenderedPage> {
  const identity = Buffer.from(await html(endpoint));
  const [br, gzipped] = await Promise.all([
    // the page is ~9 MB of bundled scripts: a middling brotli level compresses it to about a
    // tenth in well under a second, once per process
    brotli(identity, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 6, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
    gzip(identity, { level: 9 }),
  ]);
  return { etag: createHash('sha256').update(identity).digest('base64url').slice(0, 22), identity, br, gzip: gzipped };
}

/**
 * GraphiQL for browsers at the GraphQL endpoint (API clients, which do not ask for HTML, go on to
 * the endpoint). The page is self-contained (scripts and styles inlined from the npm package, so it
 * works offline) and large, so it is compressed once per process and served with an ETag and a
 * cache lifetime: a browser downloads it once, compressed, then revalidates with a 304.
 */
export function graphiqlPage(enabled: boolean): RequestHandler {
  const pages = new Map<string, Promise<RenderedPage>>();
  return (request, response, next) => {
    if (!enabled || request.accepts(['application/json', 'application/graphql-response+json', 'text/html']) !== 'text/html') return next();
    const endpoint = request.originalUrl.split('?')[0];
    let page = pages.get(endpoint);
    if (!page) {
      page = render(endpoint);
      // one entry per path this handler is mounted on; a failed render is retried next time
      page.catch(() => pages.delete(endpoint));
      pages.set(endpoint, page);
    }
    page.then((rendered) => {
      // the smallest the client takes, whatever order it lists them in
      const encoding = request.acceptsEncodings('br') ? 'br' : request.acceptsEncodings('gzip') ? 'gzip' : 'identity';
      const body = encoding === 'br' ? rendered.br : encoding === 'gzip' ? rendered.gzip : rendered.identity;
      const etag = `"${rendered.etag}-${encoding}"`;
      response.setHeader('Vary', 'Accept, Accept-Encoding');
      response.setHeader('Cache-Control', 'public, max-age=3600');
      response.setHeader('ETag', etag);
      const known = request
        .get('if-none-match')
        ?.split(',')
        .map((tag) => tag.trim().replace(/^W\//, ''));
      if (known?.includes(etag)) {
        response.status(304).end();
        return;
      }
      if (encoding !== 'identity') response.setHeader('Content-Encoding', encoding);
      response.type('html').end(body);
    }, next);
  };
}
