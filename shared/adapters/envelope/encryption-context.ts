/** Which certificate a private key belongs to, read from its secret name. */
export interface KeyOwner {
  organizationId: string;
  certificateId: string;
  /** The rest of the name: `private-key`, `private-key-<id>` (an uploaded replacement) or `keys/<attempt id>`. */
  slot: string;
}

/**
 * Certificate keys are named `<prefix>certificates/<organization id>/<certificate id>/<slot>` (see
 * privateKeySecretName and attemptKeySecretName); any other name (ACME account keys, identity keys, and certificate
 * keys named before the organization was part of the name) has no owner and stays in Secrets Manager.
 */
export function keyOwnerOf(secretPrefix: string, name: string): KeyOwner | null {
  if (!name.startsWith(`${secretPrefix}certificates/`)) return null;
  const match = /^(\d+)\/([^/]+)\/(private-key(?:-[^/]+)?|keys\/[^/]+)$/.exec(name.slice(secretPrefix.length + 'certificates/'.length));
  if (!match) return null;
  const [, organizationId, certificateId, slot] = match as unknown as [string, string, string, string];
  return { organizationId, certificateId, slot };
}

/**
 * The KMS encryption context of a key: its organization, certificate and slot. KMS unwraps the data key only with the
 * same context (and IAM can condition on it), and the same bytes are the cipher's additional data.
 */
export const encryptionContextOf = (owner: KeyOwner): Record<string, string> => ({
  organization: owner.organizationId,
  certificate: owner.certificateId,
  key: owner.slot,
});

/** The encryption context keys, for IAM's kms:EncryptionContextKeys condition. */
export const ENCRYPTION_CONTEXT_KEYS = ['certificate', 'key', 'organization'] as const;

/** One byte string for a context, independent of the order its keys were written in. */
export const canonicalContext = (context: Readonly<Record<string, string>>): Buffer =>
  Buffer.from(JSON.stringify(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), 'utf8');
