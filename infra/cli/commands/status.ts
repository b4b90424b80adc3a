import type { Command } from 'commander';
import type { CertificateResource } from '../certificate-resource.ts';
import { commandContext } from '../context.ts';
import { daysLeft, expiresIn, red, table } from '../format.ts';
import type { Io } from '../io.ts';

const NEXT_EXPIRIES = 5;

/** Why a certificate needs a look, or null: failed, its last attempt failed, or its renewal is paused. */
function troubleOf(certificate: CertificateResource): string | null {
  if (certificate.renewalPausedReason) return `renewal paused: ${certificate.renewalPausedReason}`;
  if (certificate.status === 'failed' || certificate.lastAttempt?.status === 'failed') {
    return `${certificate.lastAttempt?.type ?? 'attempt'} failed: ${certificate.lastAttempt?.error ?? 'no reason given'}`;
  }
  if (certificate.status === 'expired') return 'expired';
  return null;
}

export function statusCommand(program: Command, io: Io): void {
  program
    .command('status')
    .description('counts by status, the next expiries, and anything failing or paused')
    .action(async (_flags: object, command: Command) => {
      const context = commandContext(io, command);
      const client = await context.client();
      const certificates = await client.collect<CertificateResource>(client.certificates);
      const byStatus: Record<string, number> = {};
      for (const certificate of certificates) byStatus[certificate.status] = (byStatus[certificate.status] ?? 0) + 1;
      const nextExpiries = certificates
        .filter((certificate) => certificate.status === 'active' && certificate.expiresAt)
        .sort((a, b) => (a.expiresAt ?? '').localeCompare(b.expiresAt ?? ''))
        .slice(0, NEXT_EXPIRIES);
      const attention = certificates.flatMap((certificate) => {
        const reason = troubleOf(certificate);
        return reason ? [{ certificate, reason }] : [];
      });
      const counts = Object.entries(byStatus)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([status, count]) => `${status} ${count}`)
        .join(', ');
      const lines = [`${certificates.length} certificate${certificates.length === 1 ? '' : 's'}${counts ? ` (${counts})` : ''}`];
      if (nextExpiries.length > 0) {
        lines.push('', 'Next expiries:');
        lines.push(
          table(
            ['ID', 'NAME', 'EXPIRES', ''],
            nextExpiries.map((c) => [c.id, c.name, (c.expiresAt ?? '').slice(0, 10), expiresIn(c.expiresAt, context.now, context.style)]),
          ),
        );
      }
      lines.push('', attention.length === 0 ? 'Nothing failing or paused.' : 'Needs attention:');
      for (const { certificate, reason } of attention) lines.push(`${certificate.id}  ${certificate.name}  ${red(reason, context.style)}`);
      context.print(
        {
          total: certificates.length,
          byStatus,
          nextExpiries: nextExpiries.map((c) => ({
            id: c.id,
            name: c.name,
            expiresAt: c.expiresAt,
            daysLeft: daysLeft(c.expiresAt, context.now),
          })),
          attention: attention.map(({ certificate, reason }) => ({
            id: certificate.id,
            name: certificate.name,
            status: certificate.status,
            reason,
          })),
        },
        lines.join('\n'),
      );
    });
}
