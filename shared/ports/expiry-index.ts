/** A certificate found by its end date, as the expiry index shows it. */
export interface ExpiringCertificate {
  certificateId: string;
  organizationId: number;
  notAfter: string;
}

/** Certificates by expiry; reads grow with the number in the range asked for, not with the number stored. */
export interface ExpiryIndex {
  /** Every certificate (revoked ones aside) whose end date is in [from, until). */
  expiringBetween(from: Date, until: Date): Promise<ExpiringCertificate[]>;
}
