/** A provider's credentials as the user gave them (an API token, a key and secret, a service account...). */
export type DnsCredentials = Readonly<Record<string, unknown>>;

/** One `_acme-challenge` TXT value, as RFC 8555 section 8.4 asks for it. */
export interface TxtRecord {
  /** Fully qualified, without the trailing dot: `_acme-challenge.example.com`. */
  name: string;
  value: string;
}

/**
 * A DNS-01 solver's provider side, in certmagic's words: present, wait, clean up.
 * example.com and *.example.com need two TXT values on one name at the same time, so `present` adds a value
 * next to those already there and `cleanUp` removes only its own value.
 */
export interface DnsProvider {
  /** Adds the value; returns a change id to poll with `isChangeInSync`, or null when the change is live at once. */
  present(record: TxtRecord): Promise<{ changeId: string | null }>;
  /** Whether the provider reports the change as applied everywhere (a provider with a change status: the change is applied on all its servers). */
  isChangeInSync(changeId: string): Promise<boolean>;
  /** `host:port` of the name servers authoritative for the record's zone, queried directly before telling the CA. */
  authoritativeNameServers(record: TxtRecord): Promise<string[]>;
  /** Removes the value (and the record when it was the last); a record or value already gone counts as success. */
  cleanUp(record: TxtRecord): Promise<void>;
}
