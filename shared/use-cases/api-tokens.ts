import { createHash, randomBytes } from 'node:crypto';

/** Plaintext tokens carry a recognizable prefix so a leaked one can be found by secret scanners. */
export const TOKEN_PREFIX = 'cw_';

export const hashToken = (plaintext: string): string => createHash('sha256').update(plaintext, 'utf8').digest('hex');

export function generateTokenValue(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The part of a token that may be shown again after creation. */
export const displayPrefix = (plaintext: string): string => plaintext.slice(0, TOKEN_PREFIX.length + 6);
