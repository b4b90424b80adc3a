import { Option } from 'commander';
import type { Command } from 'commander';
import type { ApiClient } from '../api-client.ts';
import type { CertificateResource } from '../certificate-resource.ts';
import { namesOf, withoutKey } from '../certificate-resource.ts';
import { commandContext } from '../context.ts';
import type { CommandContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { date, expiresIn } from '../format.ts';
import type { Io } from '../io.ts';
import { writeLine } from '../io.ts';
import { failureOf, followAttempt } from '../progress.ts';
import { REVOCATION_REASONS } from './certs.ts';

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean),
];

/** Follows the attempt with the progress view, then reports how it ended (exit 1 with the CA's reason on failure). */
async function waitAndReport(context: CommandContext, client: ApiClient, started: CertificateResource): Promise<void> {
  const renewal = started.lastAttempt?.type === 'acme_renew';
  const names = namesOf(started).join(', ');
  if (!context.json) writeLine(context.progressOut, `${renewal ? 'Renewing' : 'Obtaining'} ${names} (certificate ${started.id})`);
  const ended = await followAttempt(client, context.io, {
    certificate: started,
    out: context.progressOut,
    resumeHint: `certwright wait ${started.id}`,
  });
  context.print(withoutKey(ended), null);
  if (ended.lastAttempt?.status !== 'succeeded') throw failureOf(ended);
  if (!context.json) {
    writeLine(
      context.io.stdout,
      `${renewal ? 'Renewed' : 'Issued'} ${names}: expires ${date(ended.expiresAt)} (${expiresIn(ended.expiresAt, context.io.now?.() ?? new Date(), context.style)}), ` +
        `issuer ${ended.issuer ?? '-'}. Files for a web server: certwright export ${ended.id} --out <dir>`,
    );
  }
}

/** Without --wait: the attempt has started; say how to follow it. */
function reportStarted(context: CommandContext, started: CertificateResource, what: string): void {
  context.print(
    withoutKey(started),
    `${what} ${namesOf(started).join(', ')} (certificate ${started.id}, ${started.lastAttempt?.type ?? 'attempt'} ${started.lastAttempt?.status ?? 'pending'}). ` +
      `Follow it with: certwright wait ${started.id}`,
  );
}

export function issuanceCommands(program: Command, io: Io): void {
  program
    .command('obtain')
    .description("obtain a certificate from the ACME CA (Let's Encrypt by default)")
    .argument('<name>', 'the domain name, e.g. shop.example.com')
    .option('--san <names>', 'another name on the certificate (repeat, or separate with commas)', collect)
    .addOption(new Option('--challenge <type>', 'how to prove control of the names').choices(['dns-01', 'http-01']))
    .addOption(new Option('--key <type>', 'key type').choices(['ec', 'rsa']))
    .option('--staging', "Let's Encrypt staging instead of production")
    .option('--email <email>', "the ACME account's contact")
    .option('--wait', 'show progress per name until the certificate is stored (Ctrl-C stops watching, not the issuance)')
    .action(
      async (
        name: string,
        flags: { san?: string[]; challenge?: string; key?: string; staging?: boolean; email?: string; wait?: boolean },
        command: Command,
      ) => {
        const context = commandContext(io, command);
        const client = await context.client();
        const body = {
          type: 'auto_managed',
          domainName: name,
          ...(flags.san?.length ? { sans: flags.san } : {}),
          ...(flags.challenge ? { challengeType: flags.challenge } : {}),
          ...(flags.key ? { keyType: flags.key } : {}),
          ...(flags.staging ? { staging: true } : {}),
          ...(flags.email ? { email: flags.email } : {}),
        };
        const { body: created } = await client.request<CertificateResource>('POST', client.certificates, { body });
        if (flags.wait) await waitAndReport(context, client, created);
        else reportStarted(context, created, 'Requested');
      },
    );

  program
    .command('renew')
    .description('renew an ACME certificate now (it keeps serving the current one meanwhile)')
    .argument('<id>', 'certificate id')
    .option('--wait', 'show progress per name until the renewal is stored')
    .action(async (id: string, flags: { wait?: boolean }, command: Command) => {
      const context = commandContext(io, command);
      const client = await context.client();
      const { body: started } = await client.request<CertificateResource>('POST', `${client.certificates}/${encodeURIComponent(id)}/renew`);
      if (flags.wait) await waitAndReport(context, client, started);
      else reportStarted(context, started, 'Renewing');
    });

  program
    .command('wait')
    .description('follow the issuance or renewal under way (again), with the same progress view as --wait')
    .argument('<id>', 'certificate id')
    .action(async (id: string, _flags: object, command: Command) => {
      const context = commandContext(io, command);
      const client = await context.client();
      const { body: current } = await client.request<CertificateResource>('GET', `${client.certificates}/${encodeURIComponent(id)}`);
      const type = current.lastAttempt?.type;
      if (type !== 'acme_issue' && type !== 'acme_renew') {
        throw new UsageError(`certificate ${id} has no issuance or renewal to follow (status ${current.status})`);
      }
      await waitAndReport(context, client, current);
    });

  program
    .command('revoke')
    .description('revoke an ACME certificate at its CA, for good (it is no longer renewed)')
    .argument('<id>', 'certificate id')
    .addOption(new Option('--reason <reason>', 'RFC 5280 reason').choices(REVOCATION_REASONS).makeOptionMandatory())
    .action(async (id: string, flags: { reason: string }, command: Command) => {
      const context = commandContext(io, command);
      const client = await context.client();
      const { body: revoked } = await client.request<CertificateResource>(
        'POST',
        `${client.certificates}/${encodeURIComponent(id)}/revoke`,
        {
          body: { reason: flags.reason },
        },
      );
      context.print(withoutKey(revoked), `Revoked ${revoked.id} (${namesOf(revoked).join(', ')}) at its CA, reason ${flags.reason}`);
    });
}
