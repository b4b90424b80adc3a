/**
 * Whether a certificate name covers a hostname (RFC 6125 6.4.3): a wildcard stands for exactly one
 * left-most label, so `*.example.com` covers `a.example.com` but neither `a.b.example.com` nor `example.com`.
 */
export function nameCovers(certificateName: string, hostname: string): boolean {
  const name = certificateName.toLowerCase().replace(/\.$/, '');
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (!name.startsWith('*.')) return name === host;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === name.slice(2);
}

export const namesCover = (certificateNames: readonly string[], hostname: string): boolean =>
  certificateNames.some((name) => nameCovers(name, hostname));

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A DNS name we can request or map: lowercase labels, optionally one leading wildcard label. */
export function isValidDnsName(value: string): boolean {
  if (value.length > 253) return false;
  const labels = value.toLowerCase().split('.');
  if (labels.length < 2) return false;
  return labels.every((label, index) => (index === 0 && label === '*') || LABEL.test(label));
}
