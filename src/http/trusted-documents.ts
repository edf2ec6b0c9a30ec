import fs from 'node:fs';
import { createHash } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import { requestError } from './http-errors';

/**
 * Trusted documents (persisted operations) and Apollo's automatic persisted queries, resolved in
 * one place for every transport: `resolve` turns what a client sent (a document's text, its id
 * from the manifest, or an APQ hash) into the document text, or into a typed error, before
 * anything is parsed. The transports then parse, limit, price and run that text exactly as they
 * would a document sent in full, so persisted operations get no way around the query limits or
 * the rate limit (Apollo's own APQ would hand Apollo a document the request gate never saw).
 */

/** Codes of the errors `resolve` gives; format-error lets them through with their messages. */
export const TRUSTED_DOCUMENT_CODES = [
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_HASH_MISMATCH',
  'TRUSTED_DOCUMENT_NOT_FOUND',
  'DOCUMENT_NOT_TRUSTED',
  'BAD_REQUEST',
] as const;

/** What a client sent, as read from a JSON body, a GET's parameters or a graphql-ws subscribe payload. */
export interface DocumentRequest {
  query?: unknown;
  /** The GraphQL-over-HTTP trusted documents field (GraphQL Codegen's client preset sends this). */
  documentId?: unknown;
  /** Relay's field for a persisted query's id. */
  doc_id?: unknown;
  /** `extensions.persistedQuery: { version: 1, sha256Hash }` (Apollo's automatic persisted queries). */
  extensions?: unknown;
}

export type ResolvedDocument =
  /** `query: null`: the client sent no document at all; the transport answers that as before. */
  { query: string | null; error?: undefined } | { query?: undefined; error: GraphQLError };

export class TrustedDocumentsError extends Error {}

export interface TrustedDocumentsOptions {
  /** id → document text; null: no manifest (TRUSTED_DOCUMENTS unset). */
  manifest: Map<string, string> | null;
  /** TRUSTED_DOCUMENTS_ONLY: refuse every document that is not in the manifest. */
  only: boolean;
  /** Characters of automatically persisted documents kept per process (least recently used go first). */
  apqBudgetChars?: number;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Reads a manifest in any of the formats front-end tool chains write, all of them id → document:
 * GraphQL Codegen's client preset (`persisted-documents.json`, `{ "<sha256>": "query …" }`),
 * Relay's compiler (`persistConfig.file`, `{ "<md5>": "query …" }`), and Apollo's persisted query
 * manifest (`{ "format": "apollo-persisted-query-manifest", "operations": [{ "id", "body" }] }`).
 */
export function parseManifest(json: unknown, origin = 'the manifest'): Map<string, string> {
  const manifest = new Map<string, string>();
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new TrustedDocumentsError(`${origin} must be a JSON object of id → document`);
  const record = json as Record<string, unknown>;
  if (record.format === 'apollo-persisted-query-manifest') {
    if (!Array.isArray(record.operations)) throw new TrustedDocumentsError(`${origin}: "operations" must be an array`);
    for (const operation of record.operations as { id?: unknown; body?: unknown }[]) {
      if (typeof operation?.id !== 'string' || typeof operation.body !== 'string') {
        throw new TrustedDocumentsError(`${origin}: every operation needs a string "id" and "body"`);
      }
      manifest.set(operation.id, operation.body);
    }
    return manifest;
  }
  for (const [id, document] of Object.entries(record)) {
    if (typeof document !== 'string') throw new TrustedDocumentsError(`${origin}: the document of id "${id}" is not a string`);
    manifest.set(id, document);
  }
  return manifest;
}

/** Reads TRUSTED_DOCUMENTS' file; a missing or malformed file stops the server at start with the reason. */
export function loadManifest(path: string): Map<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (error) {
    throw new TrustedDocumentsError(`TRUSTED_DOCUMENTS: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TrustedDocumentsError(`TRUSTED_DOCUMENTS: ${path} is not valid JSON`);
  }
  return parseManifest(json, `TRUSTED_DOCUMENTS (${path})`);
}

/** Automatically persisted documents by hash, bounded by their total length, least recently used evicted. */
class PersistedQueryStore {
  private readonly entries = new Map<string, string>();
  private chars = 0;
  constructor(private readonly budget: number) {}

  get(hash: string): string | undefined {
    const document = this.entries.get(hash);
    if (document !== undefined) {
      this.entries.delete(hash);
      this.entries.set(hash, document);
    }
    return document;
  }

  set(hash: string, document: string): void {
    if (document.length > this.budget || this.entries.has(hash)) return;
    this.entries.set(hash, document);
    this.chars += document.length;
    for (const [oldest, text] of this.entries) {
      if (this.chars <= this.budget) break;
      this.entries.delete(oldest);
      this.chars -= text.length;
    }
  }
}

const badRequest = (message: string): GraphQLError => requestError(message, 'BAD_REQUEST', 400);

// Apollo Client's persisted-query link retries with the full document on exactly this message and
// code; the status and cache header are Apollo Server's, so a CDN never caches the miss.
const persistedQueryNotFound = (): GraphQLError =>
  requestError('PersistedQueryNotFound', 'PERSISTED_QUERY_NOT_FOUND', 200, {}, { 'cache-control': 'private, no-cache, must-revalidate' });

export class TrustedDocuments {
  private readonly byId: Map<string, string>;
  /** The manifest's documents by their SHA-256, so APQ clients and full texts find them whatever the manifest's ids are. */
  private readonly bySha256 = new Map<string, string>();
  private readonly longest: number;
  private readonly apq: PersistedQueryStore;
  readonly only: boolean;

  constructor(options: TrustedDocumentsOptions) {
    if (options.only && !options.manifest)
      throw new TrustedDocumentsError('TRUSTED_DOCUMENTS_ONLY=true needs TRUSTED_DOCUMENTS, the manifest of the documents to allow');
    this.byId = options.manifest ?? new Map();
    for (const document of this.byId.values()) this.bySha256.set(sha256(document), document);
    this.longest = Math.max(0, ...[...this.byId.values()].map((document) => document.length));
    this.only = options.only;
    this.apq = new PersistedQueryStore(options.apqBudgetChars ?? 8 * 1024 * 1024);
  }

  get size(): number {
    return this.byId.size;
  }

  private notTrusted(): GraphQLError {
    return requestError(
      'This server runs only trusted documents (TRUSTED_DOCUMENTS_ONLY): send the id of a document from its manifest as "documentId", not a document of your own',
      'DOCUMENT_NOT_TRUSTED',
      400,
    );
  }

  /** Whether `text` is, byte for byte, one of the manifest's documents. */
  private isTrusted(text: string): boolean {
    return text.length <= this.longest && this.bySha256.has(sha256(text));
  }

  /** The document a request runs, or why it may not run; called by each transport before it parses anything. */
  resolve(request: DocumentRequest): ResolvedDocument {
    const text = typeof request.query === 'string' && request.query !== '' ? request.query : null;
    const id = request.documentId ?? request.doc_id;
    if (id !== undefined && id !== null) {
      if (typeof id !== 'string' || id === '') return { error: badRequest('documentId must be a non-empty string') };
      if (text !== null) return { error: badRequest('Send either a document id or the document ("query"), not both') };
      const document = this.byId.get(id);
      if (document === undefined) {
        const message = this.byId.size
          ? `No trusted document has the id "${id}"; regenerate the manifest and deploy it with the client that uses it`
          : 'This server has no trusted documents (TRUSTED_DOCUMENTS is not set); send the document as "query"';
        return { error: requestError(message, 'TRUSTED_DOCUMENT_NOT_FOUND', 400) };
      }
      return { query: document };
    }

    const extensions = request.extensions;
    const persisted = extensions && typeof extensions === 'object' ? (extensions as { persistedQuery?: unknown }).persistedQuery : undefined;
    if (persisted !== undefined && persisted !== null) {
      const { version, sha256Hash } = persisted as { version?: unknown; sha256Hash?: unknown };
      if (version !== 1) return { error: badRequest('Unsupported persisted query version; only version 1 is') };
      if (typeof sha256Hash !== 'string' || !/^[0-9a-f]{64}$/i.test(sha256Hash)) {
        return { error: badRequest('persistedQuery.sha256Hash must be the hex SHA-256 of the document') };
      }
      const hash = sha256Hash.toLowerCase();
      if (text === null) {
        const document = this.byId.get(hash) ?? this.bySha256.get(hash) ?? (this.only ? undefined : this.apq.get(hash));
        return document === undefined ? { error: persistedQueryNotFound() } : { query: document };
      }
      if (sha256(text) !== hash) return { error: requestError('provided sha does not match query', 'PERSISTED_QUERY_HASH_MISMATCH', 400) };
      if (this.only) return this.bySha256.has(hash) ? { query: text } : { error: this.notTrusted() };
      this.apq.set(hash, text);
      return { query: text };
    }

    if (text === null) return { query: null };
    if (this.only && !this.isTrusted(text)) return { error: this.notTrusted() };
    return { query: text };
  }
}
