import type { ChallengeRecord, IssuanceSettings } from '../domain/acme.ts';

/** An organization's account at one CA directory; the key itself is in the secret store. */
export interface AcmeAccountRecord {
  organizationId: number;
  directoryUrl: string;
  accountUrl: string;
  keySecretName: string;
  email: string | null;
  createdAt: string;
}

/** What the ACME workflow keeps in the table besides the certificate itself. */
export interface IssuanceRepository {
  /** How the certificate is obtained (and renewed). */
  putSettings(certificateId: string, settings: IssuanceSettings): Promise<void>;
  getSettings(certificateId: string): Promise<IssuanceSettings | null>;

  getAccount(organizationId: number, directoryUrl: string): Promise<AcmeAccountRecord | null>;
  /** Points the stored account at the URL the CA gave when its key was registered again. */
  setAccountUrl(organizationId: number, directoryUrl: string, accountUrl: string): Promise<void>;
  /** Stores the account unless one exists already; returns the one that is stored. */
  putAccountIfAbsent(account: AcmeAccountRecord): Promise<AcmeAccountRecord>;

  putChallenge(record: ChallengeRecord): Promise<void>;
  /** The pending challenge with this token (HTTP-01 lookups), or null. */
  getChallenge(token: string): Promise<ChallengeRecord | null>;
  challengesOfAttempt(attemptId: string): Promise<ChallengeRecord[]>;
  /** Deleting one that is already gone succeeds. */
  deleteChallenge(token: string): Promise<void>;
}
