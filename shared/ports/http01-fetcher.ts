/** What one HTTP-01 fetch saw, following redirects the way the CA does. */
export interface Http01Answer {
  /** The status of the last answer (after the redirects). */
  status: number;
  /** Its body, cut at a few kilobytes (a key authorization is under 100 characters). */
  body: string;
  /** The URLs the redirects led to, in order; empty when the first URL answered. */
  redirects: string[];
}

/** Why an HTTP-01 fetch got no answer: the name, the connection, a timeout or a redirect the CA would not follow. */
export class Http01FetchError extends Error {
  constructor(
    message: string,
    readonly redirects: readonly string[],
  ) {
    super(message);
    this.name = 'Http01FetchError';
  }
}

/**
 * Fetches `http://<name>/.well-known/acme-challenge/<token>` as the CA's HTTP-01 validation would (RFC 8555
 * section 8.3): the CA's port, its resolver, its redirect rules. Throws Http01FetchError when nothing answers.
 */
export interface Http01Fetcher {
  /** The URL the CA starts from, for messages. */
  challengeUrl(name: string, token: string): string;
  fetch(name: string, token: string): Promise<Http01Answer>;
}
