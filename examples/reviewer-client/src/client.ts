import { createClient, type Client, type SubscribePayload } from 'graphql-ws';
import type { TypedDocumentString } from './gql/graphql';

/** One error of a GraphQL answer; `extensions.code` says what went wrong (VERSION_CONFLICT, NOT_FOUND, …). */
export interface GraphQLErrorBody {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [detail: string]: unknown };
}

/** The errors of an answer without data, or of a refused request; `code` is the first error's. */
export class GraphQLRequestError extends Error {
  constructor(
    readonly errors: GraphQLErrorBody[],
    readonly status?: number,
  ) {
    super(errors.map((error) => error.message).join('; ') || `HTTP ${status}`);
  }

  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }

  extension<T = unknown>(name: string): T | undefined {
    return this.errors[0]?.extensions?.[name] as T | undefined;
  }
}

export interface ReviewerClientOptions {
  /** claimgraph's GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  /** An API token or the token `login` returned. */
  token: string;
  /** A WebSocket class where the platform has none (Node: the `ws` package). */
  webSocketImpl?: unknown;
  /**
   * Send each document's id from the trusted-documents manifest (the default, and what a server
   * with TRUSTED_DOCUMENTS_ONLY=true requires), or its full text (`false`).
   */
  persisted?: boolean;
}

type VariablesArgument<V> = Record<string, never> extends V ? [variables?: V] : [variables: V];

/** The id codegen gave the document in the manifest, when it has one. */
function documentIdOf(document: TypedDocumentString<unknown, unknown>): string | undefined {
  return (document.__meta__ as { hash?: string } | undefined)?.hash;
}

/** A minimal typed client: `fetch` for queries and mutations, graphql-ws for subscriptions. */
export class ReviewerClient {
  private socket: Client | null = null;

  constructor(private readonly options: ReviewerClientOptions) {}

  private body(document: TypedDocumentString<unknown, unknown>, variables: unknown): Record<string, unknown> {
    const documentId = this.options.persisted === false ? undefined : documentIdOf(document);
    return documentId ? { documentId, variables } : { query: document.toString(), variables };
  }

  /** Runs a query or mutation; resolves with its typed data, rejects with a GraphQLRequestError. */
  async execute<R, V>(document: TypedDocumentString<R, V>, ...[variables]: VariablesArgument<V>): Promise<R> {
    const response = await fetch(this.options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${this.options.token}`,
      },
      body: JSON.stringify(this.body(document as TypedDocumentString<unknown, unknown>, variables ?? {})),
    });
    const answer = (await response.json().catch(() => ({}))) as { data?: R | null; errors?: GraphQLErrorBody[] };
    if (answer.errors?.length || !answer.data) throw new GraphQLRequestError(answer.errors ?? [], response.status);
    return answer.data;
  }

  /** Subscribes over WebSocket; returns the function that ends the subscription. */
  subscribe<R, V>(
    document: TypedDocumentString<R, V>,
    variables: V,
    handlers: { next(data: R): void; error?(error: GraphQLRequestError | Error): void },
  ): () => void {
    this.socket ??= createClient({
      url: this.options.url.replace(/^http/, 'ws'),
      connectionParams: { authorization: `Bearer ${this.options.token}` },
      webSocketImpl: this.options.webSocketImpl,
      lazy: true,
    });
    // graphql-ws wants a `query` string: with a document id it is empty
    const body = this.body(document as TypedDocumentString<unknown, unknown>, variables);
    const payload: SubscribePayload & { documentId?: unknown } = { query: '', ...body };
    return this.socket.subscribe<R>(payload, {
      next: (result) => {
        if (result.errors?.length || !result.data) handlers.error?.(new GraphQLRequestError(result.errors as GraphQLErrorBody[]));
        else handlers.next(result.data);
      },
      error: (error) =>
        handlers.error?.(
          Array.isArray(error) ? new GraphQLRequestError(error as GraphQLErrorBody[]) : error instanceof Error ? error : new Error('connection closed'),
        ),
      complete: () => undefined,
    });
  }

  async close(): Promise<void> {
    await this.socket?.dispose();
    this.socket = null;
  }
}
