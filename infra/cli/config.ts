import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CliError, UsageError } from './errors.ts';
import type { Io } from './io.ts';

const tokenAuth = z.object({ kind: z.literal('token'), token: z.string().min(1) });
const sessionAuth = z.object({
  kind: z.literal('session'),
  email: z.string(),
  accessToken: z.string(),
  accessTokenExpiresAt: z.string(),
  refreshToken: z.string(),
});

const profileSchema = z.object({
  url: z.string().url(),
  organizationId: z.number().int(),
  auth: z.discriminatedUnion('kind', [tokenAuth, sessionAuth]),
});

const configSchema = z.object({ profiles: z.record(z.string(), profileSchema) });

export type Profile = z.infer<typeof profileSchema>;
export type ProfileAuth = Profile['auth'];
export type CliConfig = z.infer<typeof configSchema>;

export const DEFAULT_PROFILE = 'default';

/**
 * The user's config file: `CERTWRIGHT_CONFIG` when set, else `certwright/config.json` in the platform's config
 * directory (`$XDG_CONFIG_HOME` or `~/.config` on Linux, `~/Library/Application Support` on macOS, `%APPDATA%` on
 * Windows).
 */
export function configPath(env: Io['env'], platform: NodeJS.Platform = process.platform, home: string = env.HOME ?? homedir()): string {
  if (env.CERTWRIGHT_CONFIG) return env.CERTWRIGHT_CONFIG;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'certwright', 'config.json');
  if (platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'certwright', 'config.json');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'certwright', 'config.json');
  return join(home, '.config', 'certwright', 'config.json');
}

export async function readConfig(path: string): Promise<CliConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not valid JSON; fix it or delete it and log in again`);
  }
  const result = configSchema.safeParse(parsed);
  if (!result.success) throw new CliError(`${path} is not a certwright config file; fix it or delete it and log in again`);
  return result.data;
}

/**
 * Writes the whole file with mode 0600 (it holds credentials) through a temporary file and a rename, so a
 * concurrent reader never sees half of it; the directory is made 0700 when it is new.
 */
export async function writeConfig(path: string, config: CliConfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  // An existing temporary file of a crashed run keeps its old mode through writeFile, so set it explicitly.
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

export const trimUrl = (url: string): string => url.replace(/\/+$/, '');

export const profileName = (io: Io, flag: string | undefined): string => flag ?? io.env.CERTWRIGHT_PROFILE ?? DEFAULT_PROFILE;

/** The organization a JWT access token names (its `org` claim), read without verifying: the API verifies it. */
export function organizationOfJwt(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!token.startsWith('eyJ') || !payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { org?: unknown };
    return typeof claims.org === 'number' ? claims.org : undefined;
  } catch {
    return undefined;
  }
}

/** Where the commands send their requests, and with which credential. */
export interface Target {
  url: string;
  organizationId: number;
  auth: ProfileAuth;
  /** The profile the credential came from; a refreshed session is written back to it. */
  profile: string | null;
  configPath: string;
}

/**
 * The target of a command: the profile's URL and credential, with `CERTWRIGHT_URL`, `CERTWRIGHT_TOKEN` and
 * `CERTWRIGHT_ORG` taking precedence, so a script or CI job needs no config file at all.
 */
export async function resolveTarget(io: Io, profileFlag: string | undefined): Promise<Target> {
  const path = configPath(io.env);
  const name = profileName(io, profileFlag);
  const stored = (await readConfig(path)).profiles[name];
  const envToken = io.env.CERTWRIGHT_TOKEN;
  const url = io.env.CERTWRIGHT_URL ?? stored?.url;
  if (!url) {
    throw new UsageError(
      profileFlag || io.env.CERTWRIGHT_PROFILE
        ? `no profile "${name}" in ${path}: run certwright login --profile ${name} --url <api> first`
        : 'not logged in: run certwright login --url <api> --token <token> --org <id> (or set CERTWRIGHT_URL and CERTWRIGHT_TOKEN)',
    );
  }
  // A stored credential goes only to the URL it was stored for, never to another one named by CERTWRIGHT_URL.
  const storedApplies = stored !== undefined && trimUrl(stored.url) === trimUrl(url);
  const auth: ProfileAuth | undefined = envToken ? { kind: 'token', token: envToken } : storedApplies ? stored.auth : undefined;
  if (!auth) throw new UsageError(`no credential for ${url}: run certwright login, or set CERTWRIGHT_TOKEN`);
  const envOrganization = io.env.CERTWRIGHT_ORG;
  const organizationId =
    envOrganization !== undefined && envOrganization !== ''
      ? Number(envOrganization)
      : ((envToken ? organizationOfJwt(envToken) : undefined) ?? (storedApplies ? stored.organizationId : undefined));
  if (organizationId === undefined || !Number.isInteger(organizationId)) {
    throw new UsageError('no organization: set CERTWRIGHT_ORG to the organization id the token belongs to');
  }
  return { url: trimUrl(url), organizationId, auth, profile: envToken ? null : name, configPath: path };
}
