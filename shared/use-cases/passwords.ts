import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';
import { RateLimitedError, ValidationError } from '../domain/errors.ts';

/**
 * scrypt with N = 2^15, r = 8, p = 3: 32 MiB of memory per hash and about 0.25 s on one Lambda vCPU.
 * This is one of OWASP's equivalent scrypt settings (N=2^17/r=8/p=1 uses 128 MiB for the same work).
 * The parameters are stored with each hash, so they can be raised later without breaking existing passwords.
 */
export const PASSWORD_HASHING = { name: 'scrypt', logN: 15, r: 8, p: 3, saltBytes: 16, keyBytes: 32 } as const;

export const PASSWORD_RULES = { minLength: 12, maxLength: 256 } as const;

/**
 * scrypt runs in libuv's small thread pool (4 threads), which file and DNS work share: unbounded, a burst of
 * wrong-password logins (each 0.25 s of CPU and 32 MiB) slows every other request of the process. So at most
 * `running` hashes run at once, `waiting` more queue, and any beyond that are refused with 429 and Retry-After
 * before any work, whoever they are for, so the refusal tells nothing about an account.
 */
export const SCRYPT_LIMITS = { running: 1, waiting: 7, retryAfterSeconds: 1 } as const;

let running = 0;
const queue: (() => void)[] = [];

async function withScryptSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= SCRYPT_LIMITS.running) {
    if (queue.length >= SCRYPT_LIMITS.waiting) {
      throw new RateLimitedError('Too many passwords are being checked right now; try again in a moment', SCRYPT_LIMITS.retryAfterSeconds);
    }
    await new Promise<void>((resolve) => queue.push(resolve));
  } else running += 1;
  try {
    return await work();
  } finally {
    // The slot passes straight to the next in line, or is given back.
    const next = queue.shift();
    if (next) next();
    else running -= 1;
  }
}

const scryptAsync = (password: string, salt: Buffer, keyBytes: number, options: ScryptOptions): Promise<Buffer> =>
  withScryptSlot(
    () => new Promise((resolve, reject) => scrypt(password, salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key)))),
  );

const optionsFor = (logN: number, r: number, p: number): ScryptOptions => ({
  N: 2 ** logN,
  r,
  p,
  // scrypt needs 128 * N * r bytes; Node's default cap (32 MiB) is exactly that, so leave headroom.
  maxmem: 256 * 2 ** logN * r,
});

/** `scrypt$ln=15,r=8,p=3$<salt base64url>$<hash base64url>` */
export async function hashPassword(password: string): Promise<string> {
  const { logN, r, p, saltBytes, keyBytes } = PASSWORD_HASHING;
  const salt = randomBytes(saltBytes);
  const key = await scryptAsync(password, salt, keyBytes, optionsFor(logN, r, p));
  return `scrypt$ln=${logN},r=${r},p=${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Compares in constant time; a malformed stored hash simply does not match. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = /^scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([\w-]+)\$([\w-]+)$/.exec(stored);
  if (!match) return false;
  const [, logN, r, p, salt, hash] = match;
  const expected = Buffer.from(hash ?? '', 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt ?? '', 'base64url'), expected.byteLength, optionsFor(Number(logN), Number(r), Number(p)));
  return actual.byteLength === expected.byteLength && timingSafeEqual(actual, expected);
}

let dummyHash: Promise<string> | undefined;

/**
 * A hash of a random password with the current parameters. Login verifies against it when the email is unknown,
 * so an unknown email costs the same scrypt work as a wrong password.
 */
export function dummyPasswordHash(): Promise<string> {
  // A refused or failed computation is not kept, so the next login computes it again.
  dummyHash ??= hashPassword(randomBytes(32).toString('base64url')).catch((error: unknown) => {
    dummyHash = undefined;
    throw error;
  });
  return dummyHash;
}

/** Password rules: length only (NIST SP 800-63B), measured in characters. */
export function checkPasswordRules(password: string, field = 'password'): void {
  const length = [...password].length;
  if (length < PASSWORD_RULES.minLength || length > PASSWORD_RULES.maxLength) {
    throw new ValidationError([{ field, message: `Passwords have ${PASSWORD_RULES.minLength} to ${PASSWORD_RULES.maxLength} characters` }]);
  }
}
