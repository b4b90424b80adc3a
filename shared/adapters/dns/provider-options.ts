import type { ProviderOptions } from '../../domain/acme.ts';

/** A Route 53 hosted zone id as Route 53 writes it (`Z...`), from `Z...` or `/hostedzone/Z...`; null when it is not one. */
export function normalizeHostedZoneId(id: string): string | null {
  const normalized = id.trim().replace(/^\/hostedzone\//, '').toUpperCase();
  return /^Z[A-Z0-9]{1,31}$/.test(normalized) ? normalized : null;
}

export const hostedZoneIdProblem = (id: string): string => `"${id}" is not a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ.`;

/**
 * A zone's provider options as the provider keeps them, and what is wrong with them: Route 53's `hostedZoneId` is
 * normalized; other providers' options are theirs to read.
 */
export function normalizeProviderOptions(provider: string, options: ProviderOptions): { options: ProviderOptions; problems: string[] } {
  if (provider !== 'aws' || options.hostedZoneId === undefined) return { options, problems: [] };
  const hostedZoneId = normalizeHostedZoneId(options.hostedZoneId);
  return hostedZoneId ? { options: { ...options, hostedZoneId }, problems: [] } : { options, problems: [hostedZoneIdProblem(options.hostedZoneId)] };
}
