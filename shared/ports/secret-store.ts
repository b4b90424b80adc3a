/** Where private keys and other secret values live; nothing else stores them. */
export interface SecretStore {
  /** Creates or replaces the secret's value. */
  put(name: string, value: string): Promise<void>;
  /** The value, or null when no such secret exists. */
  get(name: string): Promise<string | null>;
  /**
   * Deletes the secret; deleting one that is already gone succeeds. `withoutRecovery` skips the recovery
   * window, for rolling back a secret that was never referenced.
   */
  delete(name: string, options?: { withoutRecovery?: boolean }): Promise<void>;
}
