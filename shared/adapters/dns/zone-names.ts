/** Lower case, without the trailing dot. */
export const normalizeDnsName = (name: string): string => name.replace(/\.$/, '').toLowerCase();

/** A zone's name server as the propagation check queries it: `host:53`. */
export const nameServerAddress = (host: string): string => `${normalizeDnsName(host)}:53`;

/** Suffixes of the name from the longest down, without the bare top-level domain: a.b.example.com, b.example.com, example.com. */
export function zoneCandidates(name: string): string[] {
  const labels = normalizeDnsName(name).split('.');
  const candidates: string[] = [];
  for (let i = 0; i < labels.length - 1; i += 1) candidates.push(labels.slice(i).join('.'));
  return candidates;
}

/** The record name relative to its zone, as zone-file APIs want it: `_acme-challenge` in example.com, `@` for the apex. */
export function relativeName(name: string, zone: string): string {
  const full = normalizeDnsName(name);
  const apex = normalizeDnsName(zone);
  if (full === apex) return '@';
  return full.endsWith(`.${apex}`) ? full.slice(0, -(apex.length + 1)) : full;
}

/** The first of the candidate zones (longest first) that `find` knows, or null. */
export async function findZone<T>(name: string, find: (candidate: string) => Promise<T | null>): Promise<T | null> {
  for (const candidate of zoneCandidates(name)) {
    const zone = await find(candidate);
    if (zone) return zone;
  }
  return null;
}
