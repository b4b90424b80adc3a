import type { CertificateResource } from './certificate-resource.ts';
import { namesOf } from './certificate-resource.ts';

const DAY_MS = 86_400_000;

export interface Style {
  colour: boolean;
}

const paint = (code: number, text: string, style: Style) => (style.colour ? `\x1b[${code}m${text}\x1b[39m` : text);
export const red = (text: string, style: Style) => paint(31, text, style);
export const yellow = (text: string, style: Style) => paint(33, text, style);
export const green = (text: string, style: Style) => paint(32, text, style);

/** Whole days from `now` to `expiresAt` (negative once past), or null without an expiry. */
export const daysLeft = (expiresAt: string | null, now: Date): number | null =>
  expiresAt === null ? null : Math.floor((Date.parse(expiresAt) - now.getTime()) / DAY_MS);

/** `in 42 days`, yellow under 30 days, red under 7; `expired 3 days ago` in red. */
export function expiresIn(expiresAt: string | null, now: Date, style: Style): string {
  const days = daysLeft(expiresAt, now);
  if (days === null) return '-';
  if (days < 0) return red(`expired ${-days} day${days === -1 ? '' : 's'} ago`, style);
  const text = `in ${days} day${days === 1 ? '' : 's'}`;
  if (days < 7) return red(text, style);
  if (days < 30) return yellow(text, style);
  return text;
}

export const date = (iso: string | null): string => (iso ? iso.slice(0, 10) : '-');

// eslint-disable-next-line no-control-regex
const visibleLength = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '').length;

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(visibleLength(title), ...rows.map((row) => visibleLength(row[column] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat((widths[column] ?? 0) - visibleLength(cell))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The list's row of one certificate: id, name, names, type, status, expiry, issuer. */
export function certificateRow(certificate: CertificateResource, now: Date, style: Style): string[] {
  const status = certificate.status === 'failed' || certificate.status === 'revoked' ? red(certificate.status, style) : certificate.status;
  return [
    certificate.id,
    certificate.name,
    namesOf(certificate).join(','),
    certificate.type,
    status,
    expiresIn(certificate.expiresAt, now, style),
    certificate.issuer ?? '-',
  ];
}

export const CERTIFICATE_COLUMNS = ['ID', 'NAME', 'NAMES', 'TYPE', 'STATUS', 'EXPIRES', 'ISSUER'];

/** `certs get`: one field a line, never the private key. */
export function certificateDetails(certificate: CertificateResource, now: Date, style: Style): string {
  const attempt = certificate.lastAttempt;
  const fields: [string, string][] = [
    ['id', certificate.id],
    ['name', certificate.name],
    ['type', certificate.type],
    ['status', certificate.status],
    [
      'names',
      certificate.sans.map((san) => `${san.name} (dns ${san.dnsStatus}, tls ${san.sslStatus})`).join(', ') || certificate.domainName,
    ],
    ['issuer', certificate.issuer ?? '-'],
    ['serial', certificate.serialNumber ?? '-'],
    ['fingerprint', certificate.fingerprint ?? '-'],
    ['valid from', date(certificate.notBefore)],
    ['expires', certificate.expiresAt ? `${date(certificate.expiresAt)} (${expiresIn(certificate.expiresAt, now, style)})` : '-'],
    ['key', certificate.keyType ? `${certificate.keyType}${certificate.keySize ? ` ${certificate.keySize}` : ''}` : '-'],
    ['auto renew', certificate.autoRenew ? 'on' : 'off'],
    ['last attempt', attempt ? `${attempt.type} ${attempt.status} (started ${attempt.startedAt})` : '-'],
  ];
  if (attempt?.error) fields.push(['last error', attempt.error]);
  if (certificate.renewalPausedReason) fields.push(['renewal paused', certificate.renewalPausedReason]);
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}
