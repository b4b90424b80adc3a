import type { Command } from 'commander';
import { reasonOf, send } from '../api-client.ts';
import { configPath, organizationOfJwt, profileName, readConfig, trimUrl, writeConfig } from '../config.ts';
import type { Profile } from '../config.ts';
import { ApiError, CliError, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { commandContext } from '../context.ts';
import { askHidden } from '../../hidden-prompt.ts';

interface LoginFlags {
  url?: string;
  token?: string;
  email?: string;
  org?: string;
  operator?: boolean;
}

/**
 * The deployment operator's token: above every organization, so checked against the operator's organization list
 * and stored with organization 0 (no organization's routes take it).
 */
async function operatorProfile(url: string, token: string): Promise<Profile> {
  const reply = await send(`${url}/api/operator/organizations?itemsPerPage=1`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  });
  if (reply.status >= 400) throw new ApiError(reply.status, reasonOf(reply.body, 'the API refused the operator token'));
  return { url, organizationId: 0, auth: { kind: 'token', token } };
}

/** An API token: checked against the organization's certificates before it is stored. */
async function tokenProfile(url: string, token: string, organizationFlag: string | undefined): Promise<Profile> {
  if (organizationFlag !== undefined && !/^\d+$/.test(organizationFlag))
    throw new UsageError(`--org must be an organization id (a number), not ${organizationFlag}`);
  const organizationId = organizationFlag !== undefined ? Number(organizationFlag) : organizationOfJwt(token);
  if (organizationId === undefined || !Number.isInteger(organizationId)) {
    throw new UsageError(
      '--org <id> is needed with an API token: the id of its organization (on the local stack, organizationId in .local/bootstrap.json)',
    );
  }
  const reply = await send(`${url}/api/organizations/${organizationId}/certificates?itemsPerPage=0`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  });
  // 403 is a valid token without certificates:read (a token for projects only, say): it may still be used.
  if (reply.status === 404) throw new CliError(`organization ${organizationId} is not this token's (HTTP 404)`);
  if (reply.status >= 400 && reply.status !== 403) throw new ApiError(reply.status, reasonOf(reply.body, 'the API refused the token'));
  return { url, organizationId, auth: { kind: 'token', token } };
}

/** A user: logs in for a session whose refresh token is stored (the password never is). */
async function sessionProfile(io: Io, url: string, email: string): Promise<Profile> {
  let password = io.env.CERTWRIGHT_PASSWORD;
  if (!password) {
    if (!io.stdin.isTTY) throw new UsageError('set CERTWRIGHT_PASSWORD: there is no terminal to ask for the password');
    password = await askHidden(io.stdin, io.stderr, `password for ${email}: `);
  }
  const reply = await send(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (reply.status !== 200) throw new ApiError(reply.status, reasonOf(reply.body, 'the login was refused'));
  const session = reply.body as { token: string; expiresAt: string; refreshToken: string; organizationId: number };
  return {
    url,
    organizationId: session.organizationId,
    auth: {
      kind: 'session',
      email,
      accessToken: session.token,
      accessTokenExpiresAt: session.expiresAt,
      refreshToken: session.refreshToken,
    },
  };
}

export function loginCommand(program: Command, io: Io): void {
  program
    .command('login')
    .description('store the API URL and a credential (API token, or a user session) in the config file (mode 0600)')
    .option('--url <api>', 'the API base URL, e.g. http://127.0.0.1:8080 (default: CERTWRIGHT_URL)')
    .option('--token <token>', 'an API token cw_... (default: CERTWRIGHT_TOKEN)')
    .option('--org <id>', 'the organization id of the API token')
    .option('--email <email>', 'log in as this user instead; the password comes from CERTWRIGHT_PASSWORD or a prompt')
    .option('--operator', "the token is the deployment operator's (for `certwright operator ...`)")
    .action(async (flags: LoginFlags, command: Command) => {
      const context = commandContext(io, command);
      const url = flags.url ?? io.env.CERTWRIGHT_URL;
      if (!url) throw new UsageError('--url <api> is required (or set CERTWRIGHT_URL)');
      if (!/^https?:\/\//.test(url)) throw new UsageError(`--url must be an http(s) URL, not ${url}`);
      const token = flags.token ?? (flags.email ? undefined : io.env.CERTWRIGHT_TOKEN);
      if (flags.token && flags.email) throw new UsageError('give --token or --email, not both');
      if (!token && !flags.email) throw new UsageError('give --token <token> (or CERTWRIGHT_TOKEN) or --email <email>');
      const base = trimUrl(url);
      if (flags.operator && !token) throw new UsageError('--operator needs the operator token: --token <token> (or CERTWRIGHT_TOKEN)');
      const profile = flags.operator
        ? await operatorProfile(base, token ?? '')
        : token
          ? await tokenProfile(base, token, flags.org)
          : await sessionProfile(io, base, flags.email ?? '');
      const path = configPath(io.env);
      const name = profileName(io, context.profile);
      const config = await readConfig(path);
      config.profiles[name] = profile;
      await writeConfig(path, config);
      const who = profile.auth.kind === 'session' ? `as ${profile.auth.email}` : flags.operator ? 'as the operator' : 'with an API token';
      context.print(
        {
          profile: name,
          url: base,
          organizationId: profile.organizationId,
          credential: profile.auth.kind === 'session' ? 'session' : 'api-token',
          configPath: path,
        },
        `Logged in to ${base} ${who}${flags.operator ? '' : `, organization ${profile.organizationId}`} (profile ${name}); saved in ${path}`,
      );
    });
}
