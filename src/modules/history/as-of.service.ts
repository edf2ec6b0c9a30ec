import type { Context } from '../../shared/context';
import { requireActor } from '../../shared/actor';
import { badInput } from '../../shared/errors';
import { ConnectionResult, encodeCursor, pageRequest, type ConnectionArgs } from '../../shared/pagination';
import { validDate } from '../../shared/values';
import { authorize } from '../team/permissions';
import { Claim } from '../claim/claim.entity';
import { CLAIM_DATES, CLAIM_FIELDS } from '../claim/claim.entity';
import { Verdict } from '../verdict/verdict.entity';
import { VERDICT_DATES, VERDICT_FIELDS } from '../verdict/verdict.entity';
import { VerdictRevision, type FieldChange } from '../verdict/verdict-revision.types';
import { apiChange } from './api-form';
import { toFieldChange } from './history-view.service';

interface EventRow {
  id: string;
  entity_id: string;
  at: Date;
  action: string;
  actor_id: string | null;
  reason: string | null;
  after: Record<string, unknown> | null;
}

type State = Record<string, unknown>;

/** Fields that never change after creation or change with every write: not news in a revision list. */
const REVISION_SILENT = new Set(['claimId', 'reviewerId', 'version']);

/**
 * Replays an entity's events in the order they were written. The first event (CREATE, SUBMIT) holds
 * a full snapshot of the recorded fields; each later one holds the fields it changed. So the state
 * at any instant is the fold of the events up to it, and needs nothing but the append-only log.
 */
export function replay(events: readonly Pick<EventRow, 'after'>[], fields: readonly string[]): State | null {
  if (events.length === 0) return null;
  const state: State = Object.fromEntries(fields.map((field) => [field, null]));
  for (const event of events) {
    for (const [field, value] of Object.entries(event.after ?? {})) {
      if (field in state) state[field] = value;
    }
  }
  return state;
}

function withDates(state: State, dateFields: readonly string[]): State {
  const copy = { ...state };
  for (const field of dateFields) {
    if (typeof copy[field] === 'string') copy[field] = new Date(copy[field] as string);
  }
  return copy;
}

/** Claims and verdicts "as of" an instant, and a verdict's revisions, rebuilt from history. */
export class AsOfService {
  /** A claim's rebuilt verdicts per instant, shared by `verdicts` and `viewerVerdict` of one request. */
  private readonly verdictsAt = new Map<string, Promise<{ verdict: Verdict; firstEventId: bigint }[]>>();

  constructor(private readonly context: Context) {}

  /** The claim as it stood at `at`; null when it did not exist yet. */
  async claim(current: Claim, at: Date): Promise<Claim | null> {
    const instant = this.instant(current.teamId, at);
    const events = await this.events('entity_id', current.id, current.teamId, { instant, claimId: current.id });
    const state = replay(events, CLAIM_FIELDS);
    if (!state) return null;
    // Columns history does not record (identity, creation, extraction metadata) keep their values.
    return Object.assign(new Claim(), current, withDates(state, CLAIM_DATES), {
      updatedAt: events[events.length - 1].at,
      asOfTime: instant,
    }) as Claim;
  }

  /** The verdict as it stood at `at`; null when it did not exist yet. */
  async verdict(current: Verdict, at: Date): Promise<Verdict | null> {
    const instant = this.instant(current.teamId, at);
    const events = await this.events('entity_id', current.id, current.teamId, { instant, claimId: current.claimId });
    return this.rebuildVerdict(current, events);
  }

  /** A claim's verdicts as they stood at the claim's `asOfTime`, in the order they were given. */
  async verdictsOfClaim(claim: Claim, includeWithdrawn: boolean, args: ConnectionArgs): Promise<ConnectionResult<Verdict>> {
    const all = await this.allVerdictsOfClaim(claim);
    const order = new Map(all.map(({ verdict, firstEventId }) => [verdict, firstEventId]));
    const shown = all.map(({ verdict }) => verdict).filter((verdict) => includeWithdrawn || !verdict.withdrawnAt);
    return arrayConnection(shown, (verdict) => order.get(verdict)!, args);
  }

  /** The caller's current verdict on a claim as it stood at the claim's `asOfTime`. */
  async viewerVerdictOfClaim(claim: Claim): Promise<Verdict | null> {
    const actor = requireActor(this.context);
    const all = await this.allVerdictsOfClaim(claim);
    return all.find(({ verdict }) => verdict.reviewerId === actor.userId && !verdict.withdrawnAt)?.verdict ?? null;
  }

  private allVerdictsOfClaim(claim: Claim): Promise<{ verdict: Verdict; firstEventId: bigint }[]> {
    const key = `${claim.id}@${claim.asOfTime!.toISOString()}`;
    let found = this.verdictsAt.get(key);
    if (!found) this.verdictsAt.set(key, (found = this.rebuildVerdictsOfClaim(claim)));
    return found;
  }

  private async rebuildVerdictsOfClaim(claim: Claim): Promise<{ verdict: Verdict; firstEventId: bigint }[]> {
    const instant = this.instant(claim.teamId, claim.asOfTime!);
    const events = await this.events('claim_id', claim.id, claim.teamId, { instant, claimId: claim.id }, 'Verdict');
    const byVerdict = new Map<string, EventRow[]>();
    for (const event of events) {
      const list = byVerdict.get(event.entity_id) ?? [];
      list.push(event);
      byVerdict.set(event.entity_id, list);
    }
    const rows = await this.context.loaders.entity(Verdict).loadMany([...byVerdict.keys()]);
    const verdicts: { verdict: Verdict; firstEventId: bigint }[] = [];
    for (const row of rows) {
      if (!row || row instanceof Error) continue;
      const own = byVerdict.get(row.id)!;
      const verdict = this.rebuildVerdict(row, own);
      if (verdict) verdicts.push({ verdict, firstEventId: BigInt(own[0].id) });
    }
    // Map keys keep first-event order, and loadMany answers in key order: the order they were given
    return verdicts;
  }

  /** Each state the verdict went through, oldest first, with what each change altered. */
  async revisions(verdict: Verdict): Promise<VerdictRevision[]> {
    const actor = requireActor(this.context);
    authorize(actor, verdict.teamId, 'team.read', 'Verdict');
    const events = await this.events('entity_id', verdict.id, verdict.teamId, null);
    const revisions: VerdictRevision[] = [];
    let previous: State | null = null;
    for (const event of events) {
      const state: State = previous ? { ...previous } : Object.fromEntries(VERDICT_FIELDS.map((field) => [field, null]));
      for (const [field, value] of Object.entries(event.after ?? {})) {
        if (field in state) state[field] = value;
      }
      const changes: FieldChange[] = [];
      if (previous) {
        for (const field of VERDICT_FIELDS) {
          if (REVISION_SILENT.has(field)) continue;
          if (JSON.stringify(previous[field]) !== JSON.stringify(state[field])) {
            changes.push(toFieldChange(apiChange('Verdict', field, previous[field], state[field])));
          }
        }
      }
      const dated = withDates(state, VERDICT_DATES);
      revisions.push(
        Object.assign(new VerdictRevision(), {
          version: state.version as number,
          action: event.action,
          at: event.at,
          reason: event.reason,
          rating: dated.rating,
          rationale: dated.rationale ?? null,
          confidence: dated.confidence ?? null,
          withdrawnAt: dated.withdrawnAt ?? null,
          changes,
          actorId: event.actor_id,
          eventId: event.id,
        }),
      );
      previous = state;
    }
    return revisions;
  }

  private rebuildVerdict(current: Verdict, events: EventRow[]): Verdict | null {
    const state = replay(events, VERDICT_FIELDS);
    if (!state) return null;
    return Object.assign(new Verdict(), current, withDates(state, VERDICT_DATES), {
      updatedAt: events[events.length - 1].at,
    }) as Verdict;
  }

  private instant(teamId: string, at: Date): Date {
    const actor = requireActor(this.context);
    authorize(actor, teamId, 'team.read', 'Team');
    const instant = validDate(at, 'at');
    if (!instant) throw badInput('at is required', 'at');
    return instant;
  }

  private events(
    column: 'entity_id' | 'claim_id',
    id: string,
    teamId: string,
    at: { instant: Date; claimId: string } | null,
    entityType?: string,
  ): Promise<EventRow[]> {
    const conditions = [`${column} = $1`, 'team_id = $2'];
    const parameters: unknown[] = [id, teamId];
    if (entityType) {
      parameters.push(entityType);
      conditions.push(`entity_type = $${parameters.length}`);
    }
    if (at) {
      // The API speaks in milliseconds (DateTime), history in microseconds: an instant names its
      // whole millisecond, so asOf(event.at) includes that event. Every event of a transaction
      // carries the transaction's time (history-stamp.sql), so an instant never splits one. The
      // cut is then made by id, not time: a claim's and its verdicts' events are written under
      // the claim's lock, so their ids follow commit order, while a transaction's time is when it
      // began: one that began first but waited for the lock committed after the other.
      parameters.push(at.instant, at.claimId);
      const n = parameters.length;
      conditions.push(`id <= (SELECT max(cut.id) FROM history_events cut
        WHERE cut.claim_id = $${n} AND cut.entity_type IN ('Claim', 'Verdict') AND cut.team_id = $2
          AND cut.at < $${n - 1}::timestamptz + interval '1 millisecond')`);
    }
    // id order is write order; one entity's writes are serialised by its row lock. (Qualified: a bare
    // `ORDER BY id` would sort by the text output column, putting 10 before 9.)
    return this.context.db.query<EventRow>(
      `SELECT id::text AS id, entity_id, at, action, actor_id, reason, after FROM history_events
        WHERE ${conditions.join(' AND ')} ORDER BY history_events.id`,
      parameters,
    );
  }
}

/**
 * A Relay connection over a short list already in memory (a claim's verdicts as of a date, a
 * verdict's revisions), with the same argument rules and cursors keyed by each item's position key.
 */
export function arrayConnection<T>(items: T[], key: (item: T) => bigint, args: ConnectionArgs): ConnectionResult<T> {
  const page = pageRequest(args, ['bigint']);
  const count = () => Promise.resolve(items.length);
  let window = items;
  if (page.cursor) {
    const cursorKey = BigInt(String(page.cursor[0]));
    window = items.filter((item) => (page.backward ? key(item) < cursorKey : key(item) > cursorKey));
  }
  const hasMore = window.length > page.limit;
  const slice = page.backward ? window.slice(Math.max(0, window.length - page.limit)) : window.slice(0, page.limit);
  const edges = slice.map((node) => ({ node, cursor: encodeCursor([key(node).toString()]) }));
  return new ConnectionResult<T>(
    edges,
    {
      hasNextPage: page.backward ? page.hasCursor : hasMore,
      hasPreviousPage: page.backward ? hasMore : page.hasCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    count,
  );
}
