import { CertwrightError } from '../../domain/errors.ts';
import type { ApiEvent } from '../../http/api-types.ts';

/** The ETag of a versioned resource: weak, since the JSON-LD representation may vary (e.g. with include=). */
export const etagOf = (version: number): string => `W/"${version}"`;

/**
 * The version named by `If-Match`, undefined when the header is absent or `*`. Both `W/"3"` and `"3"` are
 * accepted; anything that cannot name a version of ours can never match, so it is a 412 straight away.
 */
export function ifMatchVersion(event: ApiEvent): number | undefined {
  const header = event.headers['if-match']?.trim();
  if (!header || header === '*') return undefined;
  const match = /^(?:W\/)?"(\d{1,15})"$/.exec(header);
  if (!match) throw new CertwrightError('precondition_failed', 'If-Match must be an ETag returned by this API, such as W/"3"');
  return Number(match[1]);
}
