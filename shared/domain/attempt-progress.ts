/**
 * How far an ACME attempt has come, stage by stage, as the workflow steps record it: the order and its end are one
 * moment for every name; a challenge is presented, propagated and validated per name (per authorization). A name
 * whose authorization the CA reused has no challenge of its own, so it skips those three. Times are ISO instants.
 */
export interface AttemptProgress {
  /** The CA accepted the new order. */
  ordered?: string;
  /** Per name: the challenge's answer was published (the HTTP-01 record, the DNS-01 TXT value). */
  challengePresented?: Record<string, string>;
  /** Per name: the answer is visible where the CA looks (DNS-01: every authoritative server; HTTP-01: at once). */
  propagated?: Record<string, string>;
  /** Per name: the CA found its authorization valid. */
  validated?: Record<string, string>;
  /** The CA issued the certificate (the order is valid). */
  finalized?: string;
  /** The certificate and its key are stored. */
  stored?: string;
}

/** The stages in the order an attempt passes them. */
export const PROGRESS_STAGES = ['ordered', 'challengePresented', 'propagated', 'validated', 'finalized', 'stored'] as const;

export type ProgressStage = (typeof PROGRESS_STAGES)[number];

/** When `name` reached `stage` in this progress, or null. */
export function reachedAt(progress: AttemptProgress, stage: ProgressStage, name: string): string | null {
  const value = progress[stage];
  if (value === undefined) return null;
  return typeof value === 'string' ? value : (value[name] ?? null);
}

/** The same moment for each of `names`, for a per-name stage. */
export const atOnce = (names: readonly string[], at: string): Record<string, string> => Object.fromEntries(names.map((name) => [name, at]));
