import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { badInput } from '../../shared/errors';
import { TEXT_LIMITS } from '../../shared/text-limits';

/**
 * Which hosts webhooks may reach. A receiver must be a public address: a URL whose host is, or
 * resolves to, a loopback, private, link-local, unique-local, carrier-grade NAT, multicast or
 * reserved address would let a team owner make this server probe the network it sits in. The
 * allow-list (WEBHOOK_ALLOWED_HOSTS: names, addresses or CIDR ranges) opens exceptions for
 * development and tests.
 */
export class OutboundPolicy {
  private readonly names = new Set<string>();
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];

  constructor(allowedHosts: readonly string[]) {
    for (const entry of allowedHosts) {
      const host = entry.trim().toLowerCase();
      if (!host) continue;
      if (host.includes('/')) this.ranges.push(ipaddr.parseCIDR(host));
      else if (ipaddr.isValid(host)) this.ranges.push([ipaddr.process(host), ipaddr.process(host).kind() === 'ipv4' ? 32 : 128]);
      else this.names.add(host);
    }
  }

  /** Null when `address` (reached for `hostname`) may be posted to; else why not. */
  refusal(hostname: string, address: string): string | null {
    if (this.names.has(hostname.toLowerCase())) return null;
    if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
    const parsed = ipaddr.process(address);
    if (this.ranges.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits))) return null;
    const range = parsed.range();
    return range === 'unicast' ? null : `${hostname} resolves to ${address}, a ${range} address, which webhooks may not reach`;
  }
}

const MAX_URL_LENGTH = TEXT_LIMITS.url.max;

/** A webhook URL as an owner gives it: http(s), a host, no credentials, not an address the policy refuses. */
export function checkWebhookUrl(value: string, policy: OutboundPolicy): string {
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput('url is not a valid URL', 'url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badInput('url must be an http or https URL', 'url');
  if (url.username || url.password) throw badInput('url must not carry credentials; use the signing secret to authenticate', 'url');
  if (text.length > MAX_URL_LENGTH) throw badInput(`url is longer than ${MAX_URL_LENGTH} characters`, 'url');
  const host = hostOf(url);
  // Names are resolved at each delivery (and checked then); what is known now is refused now.
  const literal = net.isIP(host) ? host : host === 'localhost' || host.endsWith('.localhost') ? '127.0.0.1' : null;
  if (literal) {
    const refusal = policy.refusal(host, literal);
    if (refusal) throw badInput(`url is not allowed: ${refusal}`, 'url');
  }
  return url.toString();
}

/** The URL's host without IPv6 brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

export interface PostResult {
  /** The HTTP status; null when none came (refused, timed out, not allowed). */
  statusCode: number | null;
  latencyMs: number;
  /** The start of the response body (at most `excerptChars`). */
  excerpt: string | null;
  error: string | null;
}

export interface PostOptions {
  policy: OutboundPolicy;
  timeoutMs: number;
  /** Response bytes read at most; the connection is closed after that. */
  maxResponseBytes: number;
  excerptChars?: number;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * POSTs `body` to `url`. Every address the connection may use is checked against the policy at
 * connect time (a custom `lookup`), so a name that resolves differently on delivery than when it
 * was saved (DNS rebinding) is still refused. Redirects are not followed. The whole exchange,
 * connect to last byte, is bounded by `timeoutMs`, and at most `maxResponseBytes` are read.
 */
export function postJson(url: string, headers: Record<string, string>, body: string, options: PostOptions): Promise<PostResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<PostResult, 'latencyMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, latencyMs: elapsed() });
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      finish({ statusCode: null, excerpt: null, error: 'invalid URL' });
      return;
    }
    const host = hostOf(target);
    if (net.isIP(host)) {
      const refusal = options.policy.refusal(host, host);
      if (refusal) {
        finish({ statusCode: null, excerpt: null, error: refusal });
        return;
      }
    }
    const lookup = (hostname: string, lookupOptions: dns.LookupOptions, callback: LookupCallback): void => {
      dns.lookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
        if (error) return callback(error, '');
        const list = addresses as dns.LookupAddress[];
        for (const { address } of list) {
          const refusal = options.policy.refusal(hostname, address);
          if (refusal) return callback(Object.assign(new Error(refusal), { code: 'EWEBHOOKREFUSED' }), '');
        }
        if (lookupOptions.all) callback(null, list);
        else callback(null, list[0].address, list[0].family);
      });
    };
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: lookup as unknown as net.LookupFunction,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        const done = (): void => {
          const text = Buffer.concat(chunks).toString('utf8');
          finish({ statusCode: response.statusCode ?? null, excerpt: text ? text.slice(0, options.excerptChars ?? 500) : null, error: null });
          response.destroy();
        };
        response.on('data', (chunk: Buffer) => {
          if (bytes < options.maxResponseBytes) chunks.push(chunk.subarray(0, options.maxResponseBytes - bytes));
          bytes += chunk.length;
          // enough read: the answer is its status; the rest is not waited for
          if (bytes >= options.maxResponseBytes) done();
        });
        response.on('end', done);
        response.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      finish({ statusCode: null, excerpt: null, error: `no complete answer within ${options.timeoutMs} ms` });
    }, options.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish({
        statusCode: null,
        excerpt: null,
        error: error.code === 'EWEBHOOKREFUSED' ? error.message : `${error.code ?? 'error'}: ${error.message}`.slice(0, 500),
      });
    });
    request.end(body);
  });
}
