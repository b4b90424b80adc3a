import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { CertwrightError } from '../domain/errors.ts';
import type { Scope } from '../domain/organization.ts';
import type { CoreDeps } from './core-deps.ts';

/** Claims every access token carries; a token from anywhere else (another issuer or audience) is refused. */
export const ACCESS_TOKEN = {
  algorithm: 'ES256',
  issuer: 'certwright',
  audience: 'certwright-api',
  type: 'at+jwt',
  lifetimeSeconds: 15 * 60,
} as const;

/** How long a process keeps the key it read, so a rotated key (secret replaced) is picked up without a redeploy. */
const KEY_CACHE_MS = 15 * 60 * 1000;

export const signingKeySecretName = (deps: Pick<CoreDeps, 'secretPrefix'>): string => `${deps.secretPrefix}identity/jwt-signing-key`;

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

interface StoredKey {
  kid: string;
  alg: string;
  privateJwk: JWK;
}

const cache = new WeakMap<object, { key: Promise<SigningKey | null>; loadedAt: number }>();

async function importStored(value: string): Promise<SigningKey> {
  const stored = JSON.parse(value) as StoredKey;
  const publicJwk: JWK = { ...stored.privateJwk };
  delete publicJwk.d;
  return {
    kid: stored.kid,
    privateKey: (await importJWK(stored.privateJwk, ACCESS_TOKEN.algorithm)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, ACCESS_TOKEN.algorithm)) as CryptoKey,
  };
}

/**
 * The signing key from the secret store; with `create`, made on first use. Creation is create-if-absent, so
 * two cold starts racing to create it end up with the same key.
 */
async function loadKey(deps: Pick<CoreDeps, 'secrets' | 'secretPrefix'>, create: boolean): Promise<SigningKey | null> {
  const name = signingKeySecretName(deps);
  const existing = await deps.secrets.get(name);
  if (existing !== null) return importStored(existing);
  if (!create) return null;
  const { privateKey } = await generateKeyPair(ACCESS_TOKEN.algorithm, { extractable: true });
  const stored: StoredKey = { kid: randomUUID(), alg: ACCESS_TOKEN.algorithm, privateJwk: await exportJWK(privateKey) };
  if (await deps.secrets.create(name, JSON.stringify(stored))) return importStored(JSON.stringify(stored));
  const winner = await deps.secrets.get(name);
  if (winner === null) throw new CertwrightError('internal', 'The token signing key vanished while it was being created');
  return importStored(winner);
}

async function signingKey(deps: Pick<CoreDeps, 'secrets' | 'secretPrefix' | 'clock'>, create: boolean): Promise<SigningKey | null> {
  const now = deps.clock.now().getTime();
  const cached = cache.get(deps.secrets);
  if (cached && now - cached.loadedAt < KEY_CACHE_MS) {
    const key = await cached.key.catch(() => null);
    if (key) return key;
  }
  const entry = { key: loadKey(deps, create), loadedAt: now };
  cache.set(deps.secrets, entry);
  // Only a key is kept: "no key yet" and failures are asked again, since another function may create the key any time.
  const key = await entry.key.catch((error: unknown) => {
    cache.delete(deps.secrets);
    throw error;
  });
  if (!key) cache.delete(deps.secrets);
  return key;
}

export interface AccessTokenClaims {
  userId: string;
  organizationId: number;
  scopes: readonly Scope[];
}

export interface IssuedAccessToken {
  token: string;
  expiresAt: Date;
}

/** A short-lived JWT (ES256) naming the user, the organization and the scopes. */
export async function issueAccessToken(deps: Pick<CoreDeps, 'secrets' | 'secretPrefix' | 'clock'>, claims: AccessTokenClaims): Promise<IssuedAccessToken> {
  const key = await signingKey(deps, true);
  if (!key) throw new CertwrightError('internal', 'No token signing key');
  const issuedAt = Math.floor(deps.clock.now().getTime() / 1000);
  const expiresAt = issuedAt + ACCESS_TOKEN.lifetimeSeconds;
  const token = await new SignJWT({ org: claims.organizationId, scopes: [...claims.scopes] })
    .setProtectedHeader({ alg: ACCESS_TOKEN.algorithm, kid: key.kid, typ: ACCESS_TOKEN.type })
    .setIssuer(ACCESS_TOKEN.issuer)
    .setAudience(ACCESS_TOKEN.audience)
    .setSubject(`user:${claims.userId}`)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(randomUUID())
    .sign(key.privateKey);
  return { token, expiresAt: new Date(expiresAt * 1000) };
}

export interface VerifiedAccessToken {
  userId: string;
  organizationId: number;
  scopes: Scope[];
  issuedAt: number;
}

const rejected = (cause?: unknown) => new CertwrightError('unauthenticated', 'The access token is invalid or has expired', { cause });

/**
 * Verifies signature (ES256 only: `none`, HS* and RS* are refused before any key is used), issuer, audience,
 * type, expiry and the claims this API needs. Any failure is the same 401.
 */
export async function verifyAccessToken(deps: Pick<CoreDeps, 'secrets' | 'secretPrefix' | 'clock'>, token: string): Promise<VerifiedAccessToken> {
  const key = await signingKey(deps, false);
  if (!key) throw rejected();
  try {
    const { payload, protectedHeader } = await jwtVerify(token, key.publicKey, {
      algorithms: [ACCESS_TOKEN.algorithm],
      issuer: ACCESS_TOKEN.issuer,
      audience: ACCESS_TOKEN.audience,
      typ: ACCESS_TOKEN.type,
      requiredClaims: ['exp', 'iat', 'sub', 'jti', 'org', 'scopes'],
      currentDate: deps.clock.now(),
    });
    const subject = /^user:(.+)$/.exec(payload.sub ?? '');
    const organizationId = payload.org;
    const scopes = payload.scopes;
    if (protectedHeader.kid !== key.kid || !subject?.[1] || typeof organizationId !== 'number' || !Array.isArray(scopes)) throw rejected();
    return { userId: subject[1], organizationId, scopes: scopes.filter((scope): scope is Scope => typeof scope === 'string'), issuedAt: payload.iat ?? 0 };
  } catch (error) {
    if (error instanceof CertwrightError) throw error;
    throw rejected(error);
  }
}
