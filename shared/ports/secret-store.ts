/** Where private keys and other secret values live; nothing else stores them. */
export interface SecretStore {
  /** Creates or replaces the secret's value. */
  put(name: string, value: string): Promise<void>;
  /** Creates the secret only when no secret of that name exists; false when one did (its value is kept). */
  create(name: string, value: string): Promise<boolean>;
  /** The value, or null when no such secret exists. */
  get(name: string): Promise<string | null>;
  /**
   * Deletes the secret; deleting one that is already gone succeeds. `withoutRecovery` skips the recovery
   * window, for rolling back a secret that was never referenced.
   */
  delete(name: string, options?: { withoutRecovery?: boolean }): Promise<void>;
}
