import { domainToASCII, domainToUnicode } from 'node:url';

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

/** The form hostnames are stored and compared in: no surrounding blanks, lowercase, no trailing dot. */
export const normalizeHostname = (value: string): string => value.trim().toLowerCase().replace(/\.$/, '');

/** Longest name DNS carries (RFC 1035 2.3.4, written without the root's length octet and trailing dot). */
export const MAX_HOSTNAME_LENGTH = 253;

const LDH_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** An `xn--` label must be a real A-label: it decodes to non-ASCII and encodes back to itself (RFC 5890 2.3.2.1). */
function isALabel(label: string): boolean {
  const unicode = domainToUnicode(label);
  return unicode !== '' && /[\u0080-\uffff]/.test(unicode) && domainToASCII(unicode) === label;
}

/**
 * Why `value` (normalized, see {@link normalizeHostname}) is not a DNS name certwright accepts, or null when it is one:
 * RFC 1123 hostnames of letters, digits and hyphens; internationalized names only as IDNA A-labels (`xn--...`);
 * at least two labels, a top-level label that is not all digits (so no IP address passes), and, when
 * `wildcard` allows, one leading `*.` label (Let's Encrypt's rule).
 */
export function hostnameProblem(value: string, options: { wildcard: boolean }): string | null {
  if (value.length === 0) return 'is empty';
  if (value.length > MAX_HOSTNAME_LENGTH) return `is longer than ${MAX_HOSTNAME_LENGTH} characters`;
  const labels = value.split('.');
  if (labels.length < 2) return 'needs at least two labels (such as example.com)';
  for (const [index, label] of labels.entries()) {
    if (label === '*') {
      if (index > 0) return 'may hold a wildcard only as its whole first label (*.example.com)';
      if (!options.wildcard) return 'may not be a wildcard';
      continue;
    }
    if (!LDH_LABEL.test(label)) {
      return /[\u0080-\uffff]/.test(label)
        ? 'is not ASCII: write internationalized names as IDNA A-labels (xn--...)'
        : 'has a label that is not 1 to 63 letters, digits or inner hyphens';
    }
    // Labels with "--" in the third and fourth place are reserved for IDNA (RFC 5891 4.2.3.1).
    if (label.slice(2, 4) === '--' && !(label.startsWith('xn--') && isALabel(label))) return `has a label (${label}) that is not a valid IDNA A-label`;
  }
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return 'ends in a numeric label (IP addresses are not DNS names)';
  return null;
}

/** A DNS name we can request or map: see {@link hostnameProblem}; one leading wildcard label is allowed. */
export const isValidDnsName = (value: string): boolean => hostnameProblem(value, { wildcard: true }) === null;

/** A name quoted in an error message: control characters and the like shown as escapes, long ones shortened. */
export const quoted = (value: string): string => {
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  return shown.replace(/[\u007f-\u009f\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
};
