import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import type { WebhookConfig } from '../../config';
import { roleTransaction } from '../../db/role-transaction';
import { OutboundPolicy, postJson, type PostResult } from './outbound';
import { webhookPayload, type HistoryRow } from './payload';
import { webhookEventId, type WebhookEventType } from './webhook.entities';

/** The role the worker runs as (created by the Webhooks migration). */
export const WEBHOOK_ROLE = 'claimgraph_webhooks';

interface LeasedDelivery {
  id: string;
  team_id: string;
  endpoint_id: string;
  event_type: WebhookEventType;
  attempts: number;
  created_at: Date;
  url: string;
  secret: string;
  history: HistoryRow;
}

/**
 * Takes due deliveries and marks them leased, in one statement. A delivery is due when it is
 * PENDING, its retry time has come, nobody holds a live lease on it, its endpoint is enabled, and
 * no earlier delivery of the same endpoint and claim (or article) is still pending: so each
 * receiver gets one claim's events in order, one at a time, while other claims go ahead.
 * `FOR UPDATE ... SKIP LOCKED` makes concurrent workers (any number of instances) take disjoint
 * rows; the lease (rather than a lock held during the POST) lets a worker that dies mid-delivery
 * be replaced: once the lease runs out, another worker sends it again.
 */
const LEASE = `
  WITH due AS (
    SELECT d.id FROM webhook_deliveries d
    JOIN webhook_endpoints w ON w.id = d.endpoint_id AND w.enabled AND w.deleted_at IS NULL
    WHERE d.state = 'PENDING' AND d.next_attempt_at <= now() AND (d.lease_until IS NULL OR d.lease_until < now())
      AND NOT EXISTS (
        SELECT 1 FROM webhook_deliveries p
        WHERE p.endpoint_id = d.endpoint_id AND p.ordering_key = d.ordering_key AND p.state = 'PENDING' AND p.id < d.id
      )
    ORDER BY d.id
    LIMIT $1
    FOR UPDATE OF d SKIP LOCKED
  )
  UPDATE webhook_deliveries d SET lease_until = now() + make_interval(secs => $2::double precision / 1000)
  FROM due, webhook_endpoints w, history_events h
  WHERE d.id = due.id AND w.id = d.endpoint_id AND h.id = d.history_event_id
  RETURNING d.id, d.team_id, d.endpoint_id, d.event_type, d.attempts, d.created_at, w.url, w.secret, to_jsonb(h) AS history`;

/**
 * Posts a team's events to its webhook endpoints: signed with the Standard Webhooks headers
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`), each event at least once, with the
 * same id every time. A failed attempt is retried with exponential backoff (doubling from
 * WEBHOOK_RETRY_BASE_MS up to WEBHOOK_RETRY_MAX_DELAY_MS, with jitter) until WEBHOOK_RETRY_WINDOW_MS
 * after it was first due; then it is FAILED. Every attempt is logged (status, latency, the start of
 * the answer). An endpoint that has failed every attempt for WEBHOOK_DISABLE_AFTER_MS is disabled,
 * and the team feed says so.
 */
export class WebhookWorker {
  private readonly policy: OutboundPolicy;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: WebhookConfig,
    private readonly log: Logger,
  ) {
    this.policy = new OutboundPolicy(config.allowedHosts);
  }

  /** How long a leased delivery is someone's: longer than one attempt can take. */
  get leaseMs(): number {
    return this.config.timeoutMs * 2 + 5000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let sent = 0;
      try {
        sent = await this.runOnce();
      } catch (error) {
        this.log.warn({ err: error }, 'webhook worker: could not take deliveries; trying again');
      }
      // a full batch: there may be more due at once
      if (sent < this.config.concurrency && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.config.pollIntervalMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }

  /** Leases due deliveries, posts them (in parallel), records the outcomes; returns how many were sent. */
  async runOnce(): Promise<number> {
    const leased = await roleTransaction(
      this.dataSource,
      WEBHOOK_ROLE,
      { statementTimeoutMs: 30_000 },
      async (client) => (await client.query<LeasedDelivery>(LEASE, [this.config.concurrency, this.leaseMs])).rows,
    );
    await Promise.all(leased.map((delivery) => this.deliver(delivery)));
    return leased.length;
  }

  private async deliver(delivery: LeasedDelivery): Promise<void> {
    const payload = JSON.stringify(webhookPayload(delivery.event_type, delivery.history));
    const messageId = webhookEventId(String(delivery.history.id));
    const now = new Date();
    let result: PostResult;
    try {
      const signature = new Webhook(delivery.secret).sign(messageId, now, payload);
      result = await postJson(
        delivery.url,
        {
          'content-type': 'application/json',
          'user-agent': 'claimgraph-webhooks',
          'webhook-id': messageId,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signature,
        },
        payload,
        { policy: this.policy, timeoutMs: this.config.timeoutMs, maxResponseBytes: this.config.maxResponseBytes },
      );
    } catch (error) {
      result = { statusCode: null, latencyMs: 0, excerpt: null, error: (error as Error).message.slice(0, 500) };
    }
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const error = ok ? null : (result.error ?? `answered HTTP ${result.statusCode}`);
    try {
      await this.record(delivery, result, ok, error);
    } catch (recordError) {
      // the lease runs out and the delivery goes again: at least once
      this.log.error({ err: recordError, delivery: delivery.id }, 'webhook worker: could not record an attempt');
    }
  }

  private retryDelayMs(attempts: number): number {
    const exponential = Math.min(this.config.retryBaseMs * 2 ** Math.min(attempts - 1, 30), this.config.retryMaxDelayMs);
    // ±20 %: endpoints that failed together do not all come back at the same instant
    return Math.round(exponential * (0.8 + Math.random() * 0.4));
  }

  private record(delivery: LeasedDelivery, result: PostResult, ok: boolean, error: string | null): Promise<void> {
    return roleTransaction(this.dataSource, WEBHOOK_ROLE, { statementTimeoutMs: 30_000 }, async (client) => {
      await client.query(
        `INSERT INTO webhook_attempts (team_id, delivery_id, endpoint_id, status_code, latency_ms, response_excerpt, error, ok)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          delivery.team_id,
          delivery.id,
          delivery.endpoint_id,
          result.statusCode,
          result.latencyMs,
          result.excerpt?.slice(0, 2000) ?? null,
          error?.slice(0, 2000) ?? null,
          ok,
        ],
      );
      if (ok) {
        await client.query(
          `UPDATE webhook_deliveries SET state = 'DELIVERED', delivered_at = now(), attempts = attempts + 1, lease_until = NULL, last_error = NULL
           WHERE id = $1 AND state = 'PENDING'`,
          [delivery.id],
        );
        await client.query('UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL', [delivery.endpoint_id]);
        return;
      }
      const attempts = delivery.attempts + 1;
      const giveUp = Date.now() - new Date(delivery.created_at).getTime() >= this.config.retryWindowMs;
      await client.query(
        `UPDATE webhook_deliveries
            SET attempts = attempts + 1, lease_until = NULL, last_error = $2,
                state = CASE WHEN $3::boolean THEN 'FAILED' ELSE state END,
                next_attempt_at = CASE WHEN $3::boolean THEN next_attempt_at ELSE now() + make_interval(secs => $4::double precision / 1000) END
          WHERE id = $1 AND state = 'PENDING'`,
        [delivery.id, error?.slice(0, 2000) ?? null, giveUp, this.retryDelayMs(attempts)],
      );
      const [endpoint] = (
        await client.query<{ failing_ms: number; enabled: boolean }>(
          `UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, now()) WHERE id = $1
         RETURNING extract(epoch FROM now() - failing_since) * 1000 AS failing_ms, enabled`,
          [delivery.endpoint_id],
        )
      ).rows;
      if (endpoint?.enabled && Number(endpoint.failing_ms) >= this.config.disableAfterMs) await this.disable(client, delivery, error);
    });
  }

  /** The endpoint has failed for too long: no new events for it, and its owner learns why from the team feed. */
  private async disable(client: import('pg').PoolClient, delivery: LeasedDelivery, error: string | null): Promise<void> {
    const hours = Math.round(this.config.disableAfterMs / 360_000) / 10;
    const reason = `Every delivery failed for ${hours} h (last: ${error ?? 'unknown error'}); enable the endpoint again once it answers`.slice(0, 2000);
    const { rowCount } = await client.query(
      `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, version = version + 1, updated_at = now() WHERE id = $1 AND enabled`,
      [delivery.endpoint_id, reason],
    );
    if (!rowCount) return;
    await client.query(
      `INSERT INTO history_events (team_id, actor_id, entity_type, entity_id, action, before, after, reason)
       VALUES ($1, NULL, 'WebhookEndpoint', $2, 'DISABLE', '{"enabled": true}'::jsonb, '{"enabled": false}'::jsonb, $3)`,
      [delivery.team_id, delivery.endpoint_id, reason],
    );
    this.log.warn({ endpoint: delivery.endpoint_id, team: delivery.team_id }, 'webhook endpoint disabled after failing for too long');
  }
}
