import { CertwrightError, ValidationError } from '../domain/errors.ts';
import type { Credential } from '../use-cases/authenticate.ts';
import { classifyBearer } from '../use-cases/authenticate.ts';
import type { ApiEvent } from './api-types.ts';

export interface BodyRules {
  maxBytes: number;
  /** Accepted media types, lowercase, without parameters. */
  mediaTypes: readonly string[];
}

const mediaTypeOf = (event: ApiEvent): string => (event.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/** The `charset` parameter of Content-Type, lowercase and unquoted, or null when none is given. */
function charsetOf(event: ApiEvent): string | null {
  const match = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(event.headers['content-type'] ?? '');
  return match ? (match[2] ?? '').toLowerCase() : null;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads a JSON body: size limit first (413), then media type and charset (415), then syntax (400). */
export function readJsonBody(event: ApiEvent, rules: BodyRules): unknown {
  const raw = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  if (raw.byteLength > rules.maxBytes) {
    throw new CertwrightError('payload_too_large', `The request body is larger than ${rules.maxBytes} bytes`);
  }
  if (!rules.mediaTypes.includes(mediaTypeOf(event))) {
    throw new CertwrightError('unsupported_media_type', `Content-Type must be ${rules.mediaTypes.join(' or ')}`);
  }
  // JSON is UTF-8 (RFC 8259 8.1): a body said to be in another charset would be read as something it is not.
  const charset = charsetOf(event);
  if (charset !== null && charset !== 'utf-8' && charset !== 'utf8') {
    throw new CertwrightError('unsupported_media_type', `The body must be UTF-8 JSON; charset=${charset.slice(0, 40)} is not accepted`);
  }
  if (raw.byteLength === 0) throw new CertwrightError('bad_request', 'A JSON request body is required');
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    throw new CertwrightError('bad_request', 'The request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CertwrightError('bad_request', 'The request body is not valid JSON');
  }
}

/** Runs a zod-like parse and turns its issues into a ValidationError. */
export function parseWith<T>(
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } },
  value: unknown,
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(result.error.issues.map((issue) => ({ field: issue.path.map(String).join('.'), message: issue.message })));
}

/** The API token from `X-API-TOKEN` or `Authorization: Bearer`. */
export function presentedToken(event: ApiEvent): string | null {
  const header = event.headers['x-api-token']?.trim();
  if (header) return header;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(event.headers.authorization ?? '');
  return match?.[1] ?? null;
}

/** The credential of a request: `X-API-TOKEN`, else `Authorization: Bearer` (an API token if it starts with `cw_`, else a JWT). */
export function presentedCredential(event: ApiEvent): Credential | null {
  const header = event.headers['x-api-token']?.trim();
  if (header) return { kind: 'api-token', value: header };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(event.headers.authorization ?? '');
  return match?.[1] ? classifyBearer(match[1]) : null;
}
