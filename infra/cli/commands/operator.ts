import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ApiClient } from '../api-client.ts';
import { commandContext } from '../context.ts';
import type { CommandContext } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { date, table } from '../format.ts';
import type { Io } from '../io.ts';

/** The operator routes (`/api/operator/...`): organizations and the account's DNS zones, above every organization. */
const OPERATOR = '/api/operator/organizations';

interface OrganizationResource {
  id: number;
  name: string;
  createdAt: string;
  suspended: boolean;
}

interface ZoneResource {
  zoneName: string;
  provider: string;
  providerOptions: Record<string, string>;
  grantedBy: string;
  createdAt: string;
}

const organizationId = (value: string): number => {
  if (!/^\d+$/.test(value)) throw new UsageError(`an organization id is a number, not ${value}`);
  return Number(value);
};

/**
 * An action run with the context and a client of the profile, which must hold the operator's token; `work` gets
 * commander's arguments (the command's operands, then its options) without the command itself.
 */
const asOperator =
  <A extends unknown[]>(io: Io, work: (context: CommandContext, client: ApiClient, ...args: A) => Promise<void>) =>
  async (...args: unknown[]): Promise<void> => {
    const context = commandContext(io, args[args.length - 1] as Command);
    await work(context, await context.client(), ...(args.slice(0, -1) as A));
  };

const organizationLine = (organization: OrganizationResource) =>
  `organization ${organization.id} "${organization.name}"${organization.suspended ? ' (suspended)' : ''}`;

export function operatorCommand(program: Command, io: Io): void {
  const operator = program
    .command('operator')
    .description("the deployment operator's commands (log in with --operator and the operator token): organizations and zone grants");

  const orgs = operator.command('orgs').description('organizations of the deployment');
  orgs
    .command('list')
    .description('every organization, with whether it is suspended')
    .action(
      asOperator(io, async (context, client) => {
        const members = await client.collect<OrganizationResource>(OPERATOR);
        const rows = members.map((o) => [String(o.id), o.name, o.suspended ? 'suspended' : 'active', date(o.createdAt)]);
        context.print(members, members.length === 0 ? 'No organizations.' : table(['ID', 'NAME', 'STATUS', 'CREATED'], rows));
      }),
    );
  orgs
    .command('create <name>')
    .description('a new organization (then issue its first token with `operator orgs token`)')
    .action(
      asOperator(io, async (context, client, name: string) => {
        const reply = await client.request<OrganizationResource>('POST', OPERATOR, { body: { name } });
        context.print(reply.body, `Created ${organizationLine(reply.body)}`);
      }),
    );
  for (const [action, verb] of [
    ['suspend', 'Suspended'],
    ['reinstate', 'Reinstated'],
  ] as const) {
    orgs
      .command(`${action} <id>`)
      .description(action === 'suspend' ? "stop every credential of the organization (its data stays)" : 'let its credentials work again')
      .action(
        asOperator(io, async (context, client, id: string) => {
          const reply = await client.request<OrganizationResource>('POST', `${OPERATOR}/${organizationId(id)}/${action}`);
          context.print(reply.body, `${verb} ${organizationLine(reply.body)}`);
        }),
      );
  }
  orgs
    .command('token <id>')
    .description("issue an API token of the organization's (owner or admin role), written to a new 0600 file, never printed")
    .requiredOption('--out <file>', 'the file to write the token to (refused if it exists)')
    .option('--role <role>', 'owner or admin', 'admin')
    .option('--name <name>', "the token's name")
    .action(
      asOperator(io, async (context, client, id: string, flags: { out: string; role: string; name?: string }) => {
        if (flags.role !== 'owner' && flags.role !== 'admin') throw new UsageError(`--role is owner or admin, not ${flags.role}`);
        const body = { role: flags.role, ...(flags.name ? { name: flags.name } : {}) };
        const reply = await client.request<{ id: string; token: string; scopes: string[] }>('POST', `${OPERATOR}/${organizationId(id)}/api-tokens`, { body });
        try {
          await writeFile(flags.out, `${reply.body.token}\n`, { mode: 0o600, flag: 'wx' });
        } catch (error) {
          // The token exists now but is in no file: say which, so it can be revoked.
          const reason = (error as NodeJS.ErrnoException).code === 'EEXIST' ? `${flags.out} exists already` : (error as Error).message;
          throw new CliError(`token ${reply.body.id} was issued but not written (${reason}); revoke it and try again with another --out`);
        }
        context.print({ id: reply.body.id, scopes: reply.body.scopes, file: flags.out }, `Token ${reply.body.id} (${flags.role}) of organization ${id} written to ${flags.out} (mode 0600)`);
      }),
    );

  const zones = operator.command('zones').description("the deployment account's DNS zones granted to organizations");
  zones
    .command('list <orgId>')
    .description('the zones of an organization, granted or its own')
    .action(
      asOperator(io, async (context, client, id: string) => {
        const reply = await client.request<{ member: ZoneResource[] }>('GET', `${OPERATOR}/${organizationId(id)}/dns-zones`);
        const rows = reply.body.member.map((zone) => [zone.zoneName, zone.provider, Object.values(zone.providerOptions).join(' '), zone.grantedBy, date(zone.createdAt)]);
        context.print(reply.body.member, rows.length === 0 ? 'No zones.' : table(['ZONE', 'PROVIDER', 'OPTIONS', 'GRANTED BY', 'CREATED'], rows));
      }),
    );
  zones
    .command('grant <orgId> <zoneName>')
    .description('let the organization issue DNS-01 certificates for names in a Route 53 zone of the deployment account')
    .option('--hosted-zone-id <id>', 'the Route 53 hosted zone id (found by name when not given)')
    .action(
      asOperator(io, async (context, client, id: string, zoneName: string, flags: { hostedZoneId?: string }) => {
        const body = { zoneName, ...(flags.hostedZoneId ? { providerOptions: { hostedZoneId: flags.hostedZoneId } } : {}) };
        const reply = await client.request<ZoneResource>('POST', `${OPERATOR}/${organizationId(id)}/dns-zones`, { body });
        context.print(reply.body, `Granted ${reply.body.zoneName} to organization ${id}`);
      }),
    );
  zones
    .command('withdraw <orgId> <zoneName>')
    .description('take a granted zone back: renewals of names under it stop before their order')
    .action(
      asOperator(io, async (context, client, id: string, zoneName: string) => {
        await client.request('DELETE', `${OPERATOR}/${organizationId(id)}/dns-zones/${encodeURIComponent(zoneName)}`);
        context.print({ organizationId: Number(id), zoneName, withdrawn: true }, `Withdrew ${zoneName} from organization ${id}`);
      }),
    );
}
