import { rm, stat, writeFile } from 'node:fs/promises';
import { readConfig, writeConfig } from './config.ts';
import type { ProfileAuth, Target } from './config.ts';
import { ApiError, CliError } from './errors.ts';

export interface ApiReply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  /** Statuses that are answers rather than errors for this call (e.g. 404 when checking existence). */
  accept?: number[];
}

/** A session's access token is refreshed this long before it runs out, so a request never races its expiry. */
const REFRESH_MARGIN_MS = 30_000;

/**
 * The API's reason for an error, in one line, from any dialect's error shape: RFC 7807 `detail` (platform,
 * identity), `{"error": {"message"}}` (admin), `{"success": false, "error"}` (projects).
 */
export function reasonOf(body: unknown, fallback: string): string {
  let reason: unknown;
  if (typeof body === 'object' && body !== null) {
    const value = body as { detail?: unknown; title?: unknown; error?: unknown; message?: unknown };
    if (typeof value.error === 'object' && value.error !== null) reason = (value.error as { message?: unknown }).message;
    else reason = value.detail ?? value.error ?? value.message ?? value.title;
  } else if (typeof body === 'string' && body.trim() !== '') {
    reason = body;
  }
  const text = typeof reason === 'string' && reason.trim() !== '' ? reason : fallback;
  return text.replace(/\s*\n\s*/g, '; ').trim();
}

/** The public HTTP API, with the target's credential; nothing else (no table, no secret store). */
export class ApiClient {
  readonly target: Target;
  private auth: ProfileAuth;

  constructor(target: Target) {
    this.target = target;
    this.auth = target.auth;
  }

  /** The platform dialect's certificate collection of the target organization. */
  get certificates(): string {
    return `/api/organizations/${this.target.organizationId}/certificates`;
  }

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<ApiReply<T>> {
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${await this.bearer()}` };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const reply = await send(`${this.target.url}${path}`, { method, headers, body });
    if (reply.status >= 400 && !options.accept?.includes(reply.status)) {
      const reason = reasonOf(reply.body, `the API answered ${reply.status}`);
      const retryAfter = reply.headers.get('retry-after');
      throw new ApiError(reply.status, retryAfter && reply.status === 429 ? `${reason} (retry after ${retryAfter} s)` : reason);
    }
    return reply as ApiReply<T>;
  }

  /**
   * Every member of a paged collection, page by page (100 a page, the API's most): a Hydra collection ends where its
   * `view` names no next page, the operator's lists (no `view`) once `totalItems` members are in.
   */
  async collect<T = unknown>(path: string): Promise<T[]> {
    const members: T[] = [];
    for (let page = 1; ; page += 1) {
      const reply = await this.request<{ member: T[]; view?: { next?: string }; totalItems?: number }>('GET', `${path}?page=${page}&itemsPerPage=100`);
      members.push(...reply.body.member);
      const { view, totalItems = 0 } = reply.body;
      const last = view ? !view.next : members.length >= totalItems;
      if (last || reply.body.member.length === 0) return members;
    }
  }

  /** The API token, or a session's access token refreshed (and written back to the profile) when it is about to expire. */
  private async bearer(): Promise<string> {
    if (this.auth.kind === 'token') return this.auth.token;
    if (fresh(this.auth.accessTokenExpiresAt)) return this.auth.accessToken;
    if (this.target.profile === null) return this.refresh();
    // A refresh token is used once, and presenting it twice ends the session: concurrent runs of the CLI refresh one
    // at a time, and a run that finds the profile refreshed by another meanwhile takes that session instead.
    const profileName = this.target.profile;
    return withLock(`${this.target.configPath}.lock`, async () => {
      const stored = (await readConfig(this.target.configPath)).profiles[profileName]?.auth;
      if (stored?.kind === 'session' && fresh(stored.accessTokenExpiresAt)) {
        this.auth = stored;
        return stored.accessToken;
      }
      if (stored?.kind === 'session') this.auth = stored;
      const token = await this.refresh();
      const config = await readConfig(this.target.configPath);
      const profile = config.profiles[profileName];
      if (profile) {
        config.profiles[profileName] = { ...profile, auth: this.auth };
        await writeConfig(this.target.configPath, config);
      }
      return token;
    });
  }

  private async refresh(): Promise<string> {
    if (this.auth.kind !== 'session') return this.auth.token;
    const reply = await send(`${this.target.url}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ refreshToken: this.auth.refreshToken }),
    });
    if (reply.status !== 200) {
      throw new CliError(`the session has ended (${reasonOf(reply.body, `HTTP ${reply.status}`)}): run certwright login again`);
    }
    const session = reply.body as { token: string; expiresAt: string; refreshToken: string };
    this.auth = { ...this.auth, accessToken: session.token, accessTokenExpiresAt: session.expiresAt, refreshToken: session.refreshToken };
    return session.token;
  }
}

const fresh = (expiresAt: string) => Date.parse(expiresAt) - Date.now() > REFRESH_MARGIN_MS;

/** How long a lock file may stand before it counts as left behind by a run that died. */
const STALE_LOCK_MS = 30_000;

/** Runs `work` holding a lock file (created exclusively); waits for another run's lock, and breaks a stale one. */
async function withLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries += 1) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const since = await stat(path).then(
        (lock) => Date.now() - lock.mtimeMs,
        () => 0,
      );
      if (since > STALE_LOCK_MS || tries > 200) await rm(path, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}

/** One HTTP exchange; a network failure becomes a one-line error naming the URL (never a header). */
export async function send(url: string, init: RequestInit): Promise<ApiReply> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(`cannot reach ${new URL(url).origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a gateway's HTML error page, say): keep the text for the reason.
  }
  return { status: response.status, headers: response.headers, body };
}
