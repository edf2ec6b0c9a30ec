import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';

/** Token format: `cg_` + 43 base64url characters (256 random bits). */
const TOKEN_PATTERN = /^cg_[A-Za-z0-9_-]{43}$/;

export interface NewSecret {
  token: string;
  hash: Buffer;
  prefix: string;
}

export function newToken(): NewSecret {
  const token = `cg_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token), prefix: token.slice(0, 10) };
}

export function looksLikeToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

// OWASP's argon2id baseline (19 MiB, 2 passes) keeps a login quick on a small server while costing a guesser the memory and passes OWASP asks for.
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
/** Argon2 version 1.3, the one argon2 writes. */
const ARGON2_VERSION = 0x13;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

/**
 * A stored hash without the hash: `$argon2id$v=19$m=…,p=…,t=…$<salt>` and the hash's length in
 * bytes, as the database function `claimgraph_password_params` gives them to the application role,
 * which never reads the hash itself.
 */
export interface PasswordParams {
  params: string;
  hashLength: number;
}

interface ParsedParams {
  version: number;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
  salt: Buffer;
  hashLength: number;
}

/**
 * Parameters a hash could have been made with by this server or an earlier one; anything else
 * (or parameters that would cost a login seconds and gigabytes) is refused, and the login fails.
 */
function parseParams(stored: PasswordParams): ParsedParams | null {
  const match = /^\$argon2id\$v=(\d+)\$([a-z=0-9,]+)\$([A-Za-z0-9+/]{11,})$/.exec(stored.params);
  if (!match) return null;
  const costs = Object.fromEntries(match[2].split(',').map((pair) => pair.split('=') as [string, string]));
  const parsed = {
    version: Number(match[1]),
    memoryCost: Number(costs.m),
    timeCost: Number(costs.t),
    parallelism: Number(costs.p),
    salt: Buffer.from(match[3], 'base64'),
    hashLength: stored.hashLength,
  };
  const within = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;
  const sane =
    within(parsed.version, 0x10, ARGON2_VERSION) &&
    within(parsed.memoryCost, 8, 262_144) &&
    within(parsed.timeCost, 1, 10) &&
    within(parsed.parallelism, 1, 16) &&
    within(parsed.hashLength, 16, 64);
  return sane ? parsed : null;
}

/**
 * The password hashed exactly as the stored hash was (its version, costs and salt), written as the
 * stored hash is, for `claimgraph_password_matches` to compare. With no stored parameters (no such
 * account, no password, or parameters refused) a random salt and today's parameters: the answer
 * is no all the same, after one argon2 hash, so an unknown email and a wrong password cost alike.
 */
export async function passwordCandidate(stored: PasswordParams | null, password: string): Promise<string> {
  const parsed = stored && parseParams(stored);
  const base64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
  if (!parsed) {
    const salt = randomBytes(16);
    const raw = await argon2.hash(password, { ...ARGON2_OPTIONS, version: ARGON2_VERSION, salt, hashLength: 32, raw: true });
    return `$argon2id$v=${ARGON2_VERSION}$m=${ARGON2_OPTIONS.memoryCost},p=${ARGON2_OPTIONS.parallelism},t=${ARGON2_OPTIONS.timeCost}$${base64(salt)}$${base64(raw)}`;
  }
  const raw = await argon2.hash(password, { type: argon2.argon2id, ...parsed, raw: true });
  // the stored hash's own prefix, verbatim (its cost parameters in its order), and the hash in
  // the PHC string's unpadded base64
  return `${(stored as PasswordParams).params}$${base64(raw)}`;
}

/** True when a stored hash was made with other parameters than today's (rehash it at login). */
export function needsRehash(stored: PasswordParams): boolean {
  const parsed = parseParams(stored);
  return (
    !parsed ||
    parsed.version !== ARGON2_VERSION ||
    parsed.memoryCost !== ARGON2_OPTIONS.memoryCost ||
    parsed.timeCost !== ARGON2_OPTIONS.timeCost ||
    parsed.parallelism !== ARGON2_OPTIONS.parallelism
  );
}

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 512;
