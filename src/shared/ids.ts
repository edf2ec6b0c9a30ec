import { badInput } from './errors';

/** GraphQL type names that have global IDs. */
export type NodeType =
  | 'Team'
  | 'User'
  | 'Article'
  | 'ArticleRevision'
  | 'Claim'
  | 'Source'
  | 'Evidence'
  | 'Verdict'
  | 'Comment'
  | 'Assignment'
  | 'HistoryEvent'
  | 'ApiToken'
  | 'WebhookEndpoint'
  | 'TeamInvitation';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BIGINT = /^[1-9][0-9]{0,18}$/;

/** Opaque Relay ID: base64url("Type:rawId"). Clients must not parse it; we only promise stability. */
export function toGlobalId(type: NodeType, rawId: string): string {
  return Buffer.from(`${type}:${rawId}`, 'utf8').toString('base64url');
}

/**
 * Node's `Buffer#toString('base64url')` of a SQL text expression's UTF-8, as a SQL expression.
 * Postgres's base64 breaks lines every 76 characters and pads with `=`; both go, as in base64url.
 * replace() rather than one translate(): translate() walks every character of its input and of
 * its lists, and cost about three times as much per value (~500 values a page). split_part()
 * rather than rtrim() for the padding: it finds `=` bytewise, where rtrim walks a UTF-8 text
 * character by character.
 * `wrapped: false` leaves out the line-break removal, for inputs known to be at most 57 bytes
 * (one line of base64). `ascii`: the input is known to be ASCII (uuids, numbers, timestamps), so
 * its bytes are taken by textsend, the same in every client encoding, without convert_to's look-up
 * of the encoding by name at every call.
 */
export function base64urlSql(text: string, options: { wrapped?: boolean; ascii?: boolean } = {}): string {
  const encoded = `encode(${options.ascii ? `textsend(${text})` : `convert_to(${text}, 'UTF8')`}, 'base64')`;
  return `replace(replace(split_part(${options.wrapped === false ? encoded : `replace(${encoded}, E'\\n', '')`}, '=', 1), '+', '-'), '/', '_')`;
}

/**
 * `toGlobalId` as a SQL expression over a uuid or bigint column, for output Postgres builds itself
 * (CSV downloads, the read path as one statement in src/http/sql-selection.ts). Base64 encodes
 * 3 bytes at a time, so the whole 3-byte groups of `Type:` are encoded here once, and Postgres
 * encodes only the rest of the prefix and the id (at most 2 + 36 bytes: one line, no breaks).
 */
export function globalIdSql(type: NodeType, column: string): string {
  const prefix = `${type}:`;
  const whole = prefix.length - (prefix.length % 3);
  const rest = prefix.slice(whole);
  const head = whole > 0 ? `'${Buffer.from(prefix.slice(0, whole), 'utf8').toString('base64url')}' || ` : '';
  return `${head}${base64urlSql(`${rest ? `'${rest}' || ` : ''}${column}::text`, { wrapped: false, ascii: true })}`;
}

export interface DecodedId {
  type: NodeType;
  rawId: string;
}

/** Decodes any global ID; returns null for anything that is not one of ours. */
export function decodeGlobalId(globalId: string): DecodedId | null {
  if (typeof globalId !== 'string' || globalId.length === 0 || globalId.length > 200) return null;
  if (!/^[A-Za-z0-9_-]+$/.test(globalId)) return null;
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return null;
  const type = decoded.slice(0, colon) as NodeType;
  const rawId = decoded.slice(colon + 1);
  const pattern = type === 'HistoryEvent' ? BIGINT : UUID;
  if (!pattern.test(rawId)) return null;
  return { type, rawId };
}

/** Decodes a global ID that must name a `type`; malformed or wrong-typed IDs are bad input. */
export function fromGlobalId(globalId: string, type: NodeType, field = 'id'): string {
  const decoded = decodeGlobalId(globalId);
  if (!decoded || decoded.type !== type) throw badInput(`${field} is not a valid ${type} ID`, field);
  return decoded.rawId;
}
