import { createHash, generateKeyPairSync } from 'node:crypto';
import { StepError } from '../../domain/acme-errors.ts';
import type { AcmeAccountSession } from '../../ports/acme-ca.ts';
import type { AccountKey, AcmeAccountRecord } from '../../ports/issuance-repository.ts';
import type { CoreDeps } from '../core-deps.ts';

const directoryHash = (directoryUrl: string): string => createHash('sha256').update(directoryUrl).digest('hex').slice(0, 16);

/** Where an organization's External Account Binding for a CA waits until the account is registered. */
export const eabSecretName = (deps: Pick<CoreDeps, 'secretPrefix'>, organizationId: number, directoryUrl: string): string =>
  `${deps.secretPrefix}acme-accounts/${organizationId}/${directoryHash(directoryUrl)}/eab`;

/**
 * The secret of an organization's account key at one CA: one name per organization, CA and account number (the
 * first account's is the name from before an organization could hold several), so that an attempt cut off between
 * writing the key and storing the account record leaves no stray key; the next attempt adopts it.
 */
export const accountKeySecretName = (deps: Pick<CoreDeps, 'secretPrefix'>, organizationId: number, directoryUrl: string, accountNumber = 0): string =>
  `${deps.secretPrefix}acme-accounts/${organizationId}/${directoryHash(directoryUrl)}/key${accountNumber === 0 ? '' : `-${accountNumber}`}`;

/** Which account (see AccountKey), with its number always given (0: the organization's first). */
export type AccountRef = AccountKey & { accountNumber: number };

/** What rebuilding an account session takes (the record, cached; the key, from the secret store). */
export type AccountDeps = Pick<CoreDeps, 'acme' | 'issuance' | 'secrets' | 'clock'>;

/**
 * The organization's account number `accountNumber` at this CA, registered on first use (the first order the
 * planner or the API gave it) with the contact email (and the stored External Account Binding, for CAs such as
 * ZeroSSL or Google Trust Services). The key is written before the CA hears of it, with create-if-absent: attempts
 * that race here, or follow one that crashed, all use the first key, and the CA answers a second registration of a
 * key with the same account (RFC 8555 section 7.3.1).
 */
export async function ensureAccount(
  deps: AccountDeps & Pick<CoreDeps, 'secretPrefix' | 'newId'>,
  input: AccountRef & { email: string | null },
): Promise<AcmeAccountSession & { accountUrl: string }> {
  const opened = await findAccount(deps, input);
  if (opened) return opened;

  const keySecretName = accountKeySecretName(deps, input.organizationId, input.directoryUrl, input.accountNumber);
  const generated = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const accountKeyPem = (await deps.secrets.create(keySecretName, generated)) ? generated : await deps.secrets.get(keySecretName);
  if (!accountKeyPem) throw new StepError('IssuanceSetupError', 'The ACME account key could not be read back from the secret store');
  const eabValue = await deps.secrets.get(eabSecretName(deps, input.organizationId, input.directoryUrl));
  const eab = eabValue ? (JSON.parse(eabValue) as { kid: string; hmacKey: string }) : null;
  const directory = await deps.acme.directory(input.directoryUrl);
  if (directory.externalAccountRequired && !eab) {
    throw new StepError(
      'AcmeProblemError',
      'This CA requires External Account Binding: give externalAccountBinding (kid and hmacKey) with the request',
    );
  }
  const accountUrl = await deps.acme.registerAccount(
    { directoryUrl: input.directoryUrl, accountKeyPem, accountUrl: null },
    {
      email: input.email,
      externalAccountBinding: eab,
    },
  );
  const stored = await deps.issuance.putAccountIfAbsent({
    organizationId: input.organizationId,
    directoryUrl: input.directoryUrl,
    ...(input.accountNumber === 0 ? {} : { accountNumber: input.accountNumber }),
    accountUrl,
    keySecretName,
    email: input.email,
    createdAt: deps.clock.now().toISOString(),
  });
  // An account recorded meanwhile under an older, per-attempt key name: that one stays, this key goes.
  if (stored.keySecretName !== keySecretName) {
    await deps.secrets.delete(keySecretName, { withoutRecovery: true });
    return openAccount(deps, input);
  }
  return { directoryUrl: input.directoryUrl, accountKeyPem, accountUrl };
}

type OpenAccount = AcmeAccountSession & { accountUrl: string };

/**
 * Registers the stored account key again, when the CA said it does not know the account (Pebble forgets every
 * account when it restarts; the local stack keeps its directory URL, so renewals go back to it). A CA that knows the
 * key answers with its account (RFC 8555 section 7.3.1); one that lost it makes a new one. The record follows.
 */
export async function registerAccountAgain(
  deps: AccountDeps & Pick<CoreDeps, 'secretPrefix' | 'newId'>,
  input: AccountRef & { email: string | null },
): Promise<OpenAccount> {
  const current = await findAccount(deps, input);
  if (!current) return ensureAccount(deps, input);
  const eabValue = await deps.secrets.get(eabSecretName(deps, input.organizationId, input.directoryUrl));
  const accountUrl = await deps.acme.registerAccount(
    { directoryUrl: input.directoryUrl, accountKeyPem: current.accountKeyPem, accountUrl: null },
    { email: input.email, externalAccountBinding: eabValue ? (JSON.parse(eabValue) as { kid: string; hmacKey: string }) : null },
  );
  await deps.issuance.setAccountUrl(input, accountUrl);
  accounts.get(deps.issuance)?.delete(cacheKey(input));
  return { ...current, accountUrl };
}

/**
 * Account records found in this container, for a few minutes: every step of every attempt needs the account, and
 * its URL and the name of its key's secret never change, so a warm Lambda need not read the table each time. The
 * key itself is read from the secret store in every step (the client parsed from it is what the adapter keeps).
 */
const ACCOUNT_TTL_MS = 5 * 60_000;
const accounts = new WeakMap<object, Map<string, { account: AcmeAccountRecord; until: number }>>();

/**
 * Rebuilds the account session in a step: the key is read from the secret store, never carried in the workflow;
 * `nonce` is the CA's last nonce, handed on by the previous step.
 */
export async function openAccount(deps: AccountDeps, account: AccountRef, nonce: string | null = null): Promise<OpenAccount> {
  const session = await findAccount(deps, account);
  if (!session) throw new StepError('IssuanceSetupError', `No ACME account is registered for ${account.directoryUrl}`);
  return { ...session, nonce };
}

/**
 * The account of an order, or of the certificate it issued: the steps use the one create-order placed the order with,
 * revocation the one that issued the certificate (a number absent, as in older executions and certificates: 0).
 */
export const accountOfOrder = (organizationId: number, acme: { directoryUrl: string; accountNumber?: number | undefined }): AccountRef => ({
  organizationId,
  directoryUrl: acme.directoryUrl,
  accountNumber: acme.accountNumber ?? 0,
});

const cacheKey = (ref: AccountRef): string => `${ref.organizationId}\n${ref.directoryUrl}\n${ref.accountNumber}`;

async function accountRecord(deps: Pick<CoreDeps, 'issuance' | 'clock'>, ref: AccountRef): Promise<AcmeAccountRecord | null> {
  const cache = accounts.get(deps.issuance) ?? new Map<string, { account: AcmeAccountRecord; until: number }>();
  accounts.set(deps.issuance, cache);
  const key = cacheKey(ref);
  const now = deps.clock.now().getTime();
  const cached = cache.get(key);
  if (cached && cached.until > now) return cached.account;
  const account = await deps.issuance.getAccount(ref);
  if (account) cache.set(key, { account, until: now + ACCOUNT_TTL_MS });
  return account;
}

async function findAccount(deps: Pick<CoreDeps, 'issuance' | 'clock' | 'secrets'>, ref: AccountRef): Promise<OpenAccount | null> {
  const account = await accountRecord(deps, ref);
  if (!account) return null;
  const accountKeyPem = await deps.secrets.get(account.keySecretName);
  if (!accountKeyPem) throw new StepError('IssuanceSetupError', 'The ACME account key is missing from the secret store');
  return { directoryUrl: ref.directoryUrl, accountKeyPem, accountUrl: account.accountUrl, nonce: null };
}
