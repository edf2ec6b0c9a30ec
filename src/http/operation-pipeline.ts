import { GraphQLError, Kind, parse, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Actor } from '../shared/actor';
import { analyzeOperation, operationCost, queryLimitErrors, tokenLimitError, type OperationAnalysis, type QueryLimits } from './query-limits';
import { RateLimiter, rateLimitKey, rateLimitedError, type RateLimitDecision } from './rate-limit';
import { formatError } from './format-error';
import { formattedRequestError, requestError } from './http-errors';
import { findInvalidText } from '../shared/text';
import type { DocumentRequest, TrustedDocuments } from './trusted-documents';

/**
 * One GraphQL operation as a client sent it, whatever the transport (an HTTP body or query
 * string, a graphql-ws `subscribe` message).
 */
export interface OperationRequest {
  operationName: string | null;
  variables: Record<string, unknown> | null;
  /** The fields that name the document (its text, a trusted document id, an APQ hash), as sent. */
  document: DocumentRequest;
}

/**
 * What the pipeline decided about one operation before any credential lookup or SQL:
 * - `admitted`: `query` is the document text to execute (resolved from the request), measured
 *   and priced;
 * - `refused`: client errors naming what is wrong (syntax, limits, operation name, invalid text);
 * - `unmeasured`: there is no document to look at (no query at all); the transport answers it.
 */
export type Admission =
  | { kind: 'admitted'; query: string; document: DocumentNode; analysis: OperationAnalysis; cost: number }
  | { kind: 'refused'; errors: GraphQLError[]; analysis: OperationAnalysis | null }
  | { kind: 'unmeasured' };

export interface OperationPipelineDeps {
  schema: GraphQLSchema;
  /** Trusted documents and automatic persisted queries (src/http/trusted-documents.ts). */
  documents: TrustedDocuments;
  limits: QueryLimits;
  rateLimiter: RateLimiter;
  windowSeconds: number;
}

/** Parsed documents of recent small queries: most traffic repeats a few front-end queries. */
class DocumentCache {
  private readonly entries = new Map<string, DocumentNode>();
  constructor(
    private readonly capacity = 500,
    private readonly maxLength = 8192,
  ) {}

  parse(query: string, maxTokens: number): DocumentNode {
    const cached = this.entries.get(query);
    if (cached) {
      this.entries.delete(query);
      this.entries.set(query, cached);
      return cached;
    }
    const document = parse(query, { maxTokens, noLocation: true });
    if (query.length <= this.maxLength) {
      this.entries.set(query, document);
      if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    }
    return document;
  }
}

const badOperation = (message: string, details: Record<string, unknown> = {}): GraphQLError => requestError(message, 'BAD_USER_INPUT', 400, details);

const describeOperation = (operation: OperationDefinitionNode): string => (operation.name ? `"${operation.name.value}"` : 'an anonymous operation');

/**
 * The operation a request names is in its document (graphql-js's executor would otherwise answer
 * an unknown name as if none had been given, and Apollo with a server error).
 */
function operationNameError(document: DocumentNode, operationName: string | null | undefined): GraphQLError | null {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  // a document without operations fails validation, which names the problem
  if (operations.length === 0) return null;
  if (operationName) {
    if (operations.some((operation) => operation.name?.value === operationName)) return null;
    return badOperation(`The document has no operation named "${operationName}"; it defines ${operations.map(describeOperation).join(', ')}`, {
      field: 'operationName',
    });
  }
  if (operations.length === 1) return null;
  return badOperation(
    `The document defines ${operations.length} operations (${operations.map(describeOperation).join(', ')}); name the one to run in operationName`,
    { field: 'operationName' },
  );
}

/**
 * Every check of a parsed operation that needs no credentials and no database: the operation
 * name, the limits (depth, aliases, directives, node budget, page sizes), and text that cannot be
 * stored (NUL, lone surrogates) anywhere in the document's strings or the variables. For every
 * transport, and for operations run in process (see `operationChecksPlugin`).
 */
export function checkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  limits: QueryLimits,
): { analysis: OperationAnalysis | null; errors: GraphQLError[] } {
  const nameError = operationNameError(document, operationName);
  if (nameError) return { analysis: null, errors: [nameError] };
  const analysis = analyzeOperation(schema, document, operationName, variables);
  if (!analysis) return { analysis, errors: [] };
  const errors = queryLimitErrors(analysis, limits);
  if (errors.length) return { analysis, errors };
  if (analysis.invalidString) return { analysis, errors: [badOperation(`A string in the document ${analysis.invalidString}`)] };
  const invalid = variables ? findInvalidText(variables) : null;
  if (invalid)
    return { analysis, errors: [badOperation(`Variable ${invalid.path ? `"$${invalid.path}"` : 'names'} ${invalid.reason}`, { field: invalid.path })] };
  return { analysis, errors: [] };
}

/**
 * The request pipeline every GraphQL operation goes through, over HTTP (src/http/request-gate.ts)
 * and over WebSocket (src/modules/live/websocket.ts), in this order:
 *
 *   resolve the document → parse → check (limits, operation name, text) → rate limit →
 *   execute and commit (Apollo: src/http/request-plugin.ts) → format errors (formatError)
 *
 * The transports add only what is theirs: HTTP its status codes, headers and tarpit; WebSocket
 * its per-connection caps and the events of subscriptions.
 */
export class OperationPipeline {
  private readonly documents = new DocumentCache();
  /** Sessions of contexts whose operation this pipeline admitted (Apollo must not check it again). */
  private readonly admittedSessions = new WeakSet<object>();

  constructor(private readonly deps: OperationPipelineDeps) {}

  get rateLimiter(): RateLimiter {
    return this.deps.rateLimiter;
  }

  /**
   * The document text a request asks to run: the one place a document is looked up from the
   * request. Trusted documents and persisted queries resolve an id or a hash to its text here (or
   * refuse it: an unknown id, an untrusted document under TRUSTED_DOCUMENTS_ONLY), and everything
   * after measures, prices and executes that text: the HTTP gate hands it to Apollo in place of the
   * id or hash, the WebSocket server executes it. Null: the request names no document.
   */
  resolveDocument(request: OperationRequest): string | GraphQLError | null {
    const resolved = this.deps.documents.resolve(request.document);
    if (resolved.error) return resolved.error;
    return resolved.query;
  }

  /** Resolves, parses and checks one operation; nothing here looks up credentials or touches the database. */
  admit(request: OperationRequest): Admission {
    const query = this.resolveDocument(request);
    if (query === null) return { kind: 'unmeasured' };
    if (query instanceof GraphQLError) return { kind: 'refused', errors: [query], analysis: null };
    let document: DocumentNode;
    try {
      document = this.documents.parse(query, this.deps.limits.maxTokens);
    } catch (error) {
      return { kind: 'refused', errors: [tokenLimitError(error, this.deps.limits) ?? parseError(error)], analysis: null };
    }
    const { analysis, errors } = checkOperation(this.deps.schema, document, request.operationName, request.variables, this.deps.limits);
    if (errors.length) return { kind: 'refused', errors, analysis };
    if (!analysis) return { kind: 'refused', errors: [badOperation('The document defines no operation to run')], analysis: null };
    return { kind: 'admitted', query, document, analysis, cost: operationCost(analysis) };
  }

  /**
   * Takes `cost` points from the caller's budget (the token or session, else the user, else the
   * client address). The RATE_LIMITED error comes with the decision when the budget is spent.
   */
  async charge(
    actor: Actor | null,
    clientAddress: string | undefined,
    cost: number,
  ): Promise<{ key: string; decision: RateLimitDecision; error: GraphQLError | null }> {
    const key = rateLimitKey(actor, clientAddress);
    const decision = await this.deps.rateLimiter.consume(key, cost);
    return { key, decision, error: decision.allowed ? null : rateLimitedError(decision, cost, this.deps.windowSeconds) };
  }

  /** Marks a context whose operation went through `admit`: the in-process checks skip it. */
  markAdmitted(context: { session: object }): void {
    this.admittedSessions.add(context.session);
  }

  wasAdmitted(context: { session?: object } | undefined): boolean {
    return !!context?.session && this.admittedSessions.has(context.session);
  }

  /** Refusals as clients get them, on every transport. */
  formatErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
    return errors.map((error) => formatError(formattedRequestError(error), error));
  }

  /**
   * The same checks for operations Apollo runs without a transport in front of it
   * (`executeOperation` in tests, benchmarks and the CLI), before any resolver.
   */
  inProcessPlugin(): ApolloServerPlugin<{ session?: object }> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async ({ schema, document, operationName, request, contextValue }) => {
          if (request.http || this.wasAdmitted(contextValue)) return;
          const { errors } = checkOperation(schema, document, request.operationName ?? operationName, request.variables, this.deps.limits);
          if (errors.length) throw errors[0];
        },
      }),
    };
  }
}

/** graphql-js's syntax error as a request error (HTTP 400), with its location. */
function parseError(error: unknown): GraphQLError {
  const syntax = error instanceof GraphQLError ? error : new GraphQLError(String(error));
  return new GraphQLError(syntax.message, {
    source: syntax.source,
    positions: syntax.positions,
    extensions: requestError(syntax.message, 'GRAPHQL_PARSE_FAILED', 400).extensions,
  });
}
