import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { CertificateResource } from '../certificate-resource.ts';
import { namesOf, withoutKey } from '../certificate-resource.ts';
import { commandContext } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { CERTIFICATE_COLUMNS, certificateDetails, certificateRow, date, table } from '../format.ts';
import type { Io } from '../io.ts';

export const REVOCATION_REASONS = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation'];

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function certsCommand(program: Command, io: Io): void {
  const certs = program.command('certs').description('list, show, upload and delete certificates');

  certs
    .command('list')
    .description('every certificate of the organization: name, names, type, status, expiry, issuer')
    .action(async (_flags: object, command: Command) => {
      const context = commandContext(io, command);
      const client = await context.client();
      const certificates = await client.collect<CertificateResource>(client.certificates);
      context.print(
        certificates.map(withoutKey),
        certificates.length === 0
          ? 'No certificates yet: certwright obtain <name> or certwright certs upload'
          : table(
              CERTIFICATE_COLUMNS,
              certificates.map((certificate) => certificateRow(certificate, context.now, context.style)),
            ),
      );
    });

  certs
    .command('get')
    .description('one certificate, with its names, attempt and renewal state (never its key)')
    .argument('<id>', 'certificate id')
    .action(async (id: string, _flags: object, command: Command) => {
      const context = commandContext(io, command);
      const client = await context.client();
      const { body } = await client.request<CertificateResource>('GET', `${client.certificates}/${encodeURIComponent(id)}`);
      context.print(withoutKey(body), certificateDetails(body, context.now, context.style));
    });

  certs
    .command('upload')
    .description('upload a custom certificate with its private key (PEM)')
    .requiredOption('--cert <file>', 'the certificate (PEM; may include the chain)')
    .requiredOption('--key <file>', 'its private key (PEM)')
    .option('--chain <file>', 'the chain (PEM), when not in the certificate file')
    .option('--name <name>', 'a name for it (default: its domain name)')
    .action(async (flags: { cert: string; key: string; chain?: string; name?: string }, command: Command) => {
      const context = commandContext(io, command);
      const body = {
        type: 'custom',
        certificateData: await readPem(flags.cert, 'certificate'),
        privateKeyData: await readPem(flags.key, 'key'),
        ...(flags.chain ? { chainData: await readPem(flags.chain, 'chain') } : {}),
        ...(flags.name ? { name: flags.name } : {}),
      };
      const client = await context.client();
      const { body: created } = await client.request<CertificateResource>('POST', client.certificates, { body });
      context.print(
        withoutKey(created),
        `Uploaded ${created.id}: ${namesOf(created).join(', ')}, expires ${date(created.expiresAt)}, issuer ${created.issuer ?? '-'}`,
      );
    });

  certs
    .command('delete')
    .description('delete a certificate and its key')
    .argument('<id>', 'certificate id')
    .option('--revoke', 'revoke it at its CA first (ACME certificates); nothing is deleted if that fails')
    .addOption(new Option('--reason <reason>', 'revocation reason, with --revoke').choices(REVOCATION_REASONS))
    .action(async (id: string, flags: { revoke?: boolean; reason?: string }, command: Command) => {
      const context = commandContext(io, command);
      if (flags.reason && !flags.revoke) throw new UsageError('--reason goes with --revoke');
      const client = await context.client();
      const query = flags.revoke ? `?revoke=true${flags.reason ? `&reason=${flags.reason}` : ''}` : '';
      await client.request('DELETE', `${client.certificates}/${encodeURIComponent(id)}${query}`);
      context.print(
        { id, deleted: true, revoked: flags.revoke === true },
        `Deleted ${id}${flags.revoke ? ' (revoked at its CA first)' : ''}`,
      );
    });
}
