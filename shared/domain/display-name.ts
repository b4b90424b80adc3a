import { ValidationError } from './errors.ts';

/** Longest name of a certificate, project or token, in characters. */
export const MAX_NAME_LENGTH = 200;

// C0 and C1 controls, DEL, line and paragraph separators, and bidirectional overrides and isolates: they break
// logs, terminals and tables, or make a name read differently from what it holds (Trojan Source).
// eslint-disable-next-line no-control-regex -- finding control characters is what this expression is for
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
// A UTF-16 half without its other half cannot be encoded as UTF-8, so it could not be stored as sent.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why `value` cannot name a certificate, project or token, or null when it can: printable text of 1 to
 * {@link MAX_NAME_LENGTH} characters, without control characters, lone surrogates or bidirectional controls.
 */
export function nameProblem(value: string): string | null {
  if (value.trim().length === 0) return 'must not be empty';
  if ([...value].length > MAX_NAME_LENGTH) return `is at most ${MAX_NAME_LENGTH} characters`;
  if (LONE_SURROGATE.test(value)) return 'is not valid Unicode text (it holds half of a surrogate pair)';
  if (FORBIDDEN.test(value)) return 'must not contain control characters (line breaks, tabs, NUL...) or bidirectional controls';
  return null;
}

/** A name as stored: surrounding blanks removed; refused with a violation on `field` when it breaks a rule. */
export function checkedName(value: string, field = 'name'): string {
  const trimmed = value.trim();
  const problem = nameProblem(trimmed);
  if (problem) throw new ValidationError([{ field, message: `${field} ${problem}.` }]);
  return trimmed;
}

/** Whether `value` holds text that cannot be stored as UTF-8 (a lone surrogate). */
export const hasLoneSurrogate = (value: string): boolean => LONE_SURROGATE.test(value);
