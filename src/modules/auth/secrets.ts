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

// OWASP's argon2id baseline (19 MiB, 2 passes) keeps a login under ~50 ms on a small server.
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

// Verified against when the email is unknown, so both answers cost one argon2 verification.
let dummyHash: Promise<string> | null = null;

export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  dummyHash ??= argon2.hash('claimgraph-timing-equaliser', ARGON2_OPTIONS);
  const target = hash ?? (await dummyHash);
  try {
    const matches = await argon2.verify(target, password);
    return matches && hash !== null;
  } catch {
    return false;
  }
}

/** True when a stored hash was made with other parameters than today's (rehash it at login). */
export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, ARGON2_OPTIONS);
}

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 512;
