/** A certificate's current private key, by the secret name the certificate item holds. */
export interface KeyReference {
  organizationId: number;
  certificateId: string;
  secretName: string;
}

/** Where a walk over every stored certificate stopped; opaque, and JSON so that it can be saved. */
export type KeyReferenceCursor = Record<string, unknown>;

/** Every certificate that has a private key, page by page: an operator's walk (`npm run keys:migrate`), never a request path. */
export interface KeyReferences {
  page(after: KeyReferenceCursor | undefined, limit: number): Promise<{ references: KeyReference[]; next: KeyReferenceCursor | undefined }>;
  /** The key the certificate names now (null when it names none, or is gone). */
  current(organizationId: number, certificateId: string): Promise<string | null>;
}
