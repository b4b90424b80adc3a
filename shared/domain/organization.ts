export interface Organization {
  id: number;
  name: string;
  createdAt: string;
  /** Set while the operator has suspended the organization: none of its credentials work then. */
  suspendedAt?: string | null | undefined;
}

/**
 * The operator's credentials belong to no organization: they are stored under this id, which no organization has
 * (organization ids start at 1).
 */
export const OPERATOR_ORGANIZATION_ID = 0;

export type Scope =
  | 'certificates:read'
  | 'certificates:write'
  | 'certificates:export'
  | 'projects:read'
  | 'projects:write'
  | 'domains:read'
  | 'domains:write'
  | 'tokens:manage'
  | 'users:manage'
  | 'account:manage'
  | 'admin'
  // The deployment's operator, above every organization: not among ALL_SCOPES and never implied by `admin`.
  | 'operator:read'
  | 'operator:write';

/** What the operator's token holds: organizations (create, list, suspend, first tokens) and account zone grants. */
export const OPERATOR_SCOPES: readonly Scope[] = ['operator:read', 'operator:write'];

export const ALL_SCOPES: readonly Scope[] = [
  'certificates:read',
  'certificates:write',
  'certificates:export',
  'projects:read',
  'projects:write',
  // The DNS zones an organization may certify names under (DNS-01), and their provider credentials.
  'domains:read',
  'domains:write',
  'tokens:manage',
  'users:manage',
  // Change one's own password; every role has it.
  'account:manage',
  'admin',
];

/** Who is calling, as established from a credential; the organization always comes from here, never from the path. */
export interface Principal {
  organizationId: number;
  subject: string;
  scopes: readonly Scope[];
  /** The user whose current role bounds this credential: the signed-in user, or the owner of an API token. */
  userId?: string | undefined;
}

export interface ApiToken {
  id: string;
  organizationId: number;
  name: string;
  /** SHA-256 of the plaintext, hex; the plaintext is never stored. */
  tokenHash: string;
  prefix: string;
  scopes: Scope[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  /** Updated at most once a minute, so authentication stays one read on most requests. */
  lastUsedAt?: string | null;
  /**
   * The user who created it (directly, or through a token of theirs). The token works only while that user exists,
   * and never beyond the user's current role. Null for tokens the operator made (bootstrap), which no user bounds.
   */
  ownerUserId?: string | null;
}
