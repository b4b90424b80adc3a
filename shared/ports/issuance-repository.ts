import type { ChallengeRecord, IssuanceSettings } from '../domain/acme.ts';

/** One of an organization's accounts at one CA directory; the key itself is in the secret store. */
export interface AcmeAccountRecord {
  organizationId: number;
  directoryUrl: string;
  /** Which of the organization's accounts at this CA (absent: 0, its first). */
  accountNumber?: number;
  accountUrl: string;
  keySecretName: string;
  email: string | null;
  createdAt: string;
}

/** Which account: the organization, the CA directory, and the number of the organization's account there. */
export interface AccountKey {
  organizationId: number;
  directoryUrl: string;
  accountNumber?: number | undefined;
}

/** What the ACME workflow keeps in the table besides the certificate itself. */
export interface IssuanceRepository {
  /** How the certificate is obtained (and renewed). */
  putSettings(certificateId: string, settings: IssuanceSettings): Promise<void>;
  getSettings(certificateId: string): Promise<IssuanceSettings | null>;

  /** The organization's account number `accountNumber` (absent: 0) at the CA directory. */
  getAccount(account: AccountKey): Promise<AcmeAccountRecord | null>;
  /** Points the stored account at the URL the CA gave when its key was registered again. */
  setAccountUrl(account: AccountKey, accountUrl: string): Promise<void>;
  /** Stores the account unless one exists already; returns the one that is stored. */
  putAccountIfAbsent(account: AcmeAccountRecord): Promise<AcmeAccountRecord>;

  putChallenge(record: ChallengeRecord): Promise<void>;
  /** The pending challenge with this token (HTTP-01 lookups), or null. */
  getChallenge(token: string): Promise<ChallengeRecord | null>;
  challengesOfAttempt(attemptId: string): Promise<ChallengeRecord[]>;
  /** Deleting one that is already gone succeeds. */
  deleteChallenge(token: string): Promise<void>;
}
