import type { KeyReference, KeyReferenceCursor, KeyReferences } from '../ports/key-references.ts';
import type { SecretStore } from '../ports/secret-store.ts';

export interface KeyMigrationDeps {
  references: KeyReferences;
  from: SecretStore;
  to: SecretStore;
  /** Whether `to` can hold a key of this name (the envelope store needs the organization in the name). */
  canHold(secretName: string): boolean;
}

/** How far a migration got; saved after every page, so that a run stopped anywhere goes on from there. */
export interface KeyMigrationProgress {
  cursor: KeyReferenceCursor | undefined;
  done: boolean;
  /** Certificates with a key seen so far. */
  seen: number;
  moved: number;
  /** Already in the target (moved by an earlier run, or written there by the deployment); any copy left behind removed. */
  alreadyThere: number;
  /** In neither store (a key deleted meanwhile). */
  missing: number;
  /** Names the target cannot hold (certificate keys named before names carried the organization); left where they are. */
  notMovable: number;
}

export const startOfMigration = (): KeyMigrationProgress => ({
  cursor: undefined,
  done: false,
  seen: 0,
  moved: 0,
  alreadyThere: 0,
  missing: 0,
  notMovable: 0,
});

type Outcome = 'moved' | 'alreadyThere' | 'missing' | 'notMovable';

/**
 * Moves one key: copied, read back, then removed from the source. Each step is safe to repeat, so a run stopped between
 * any two of them is finished by the next. A certificate that moved on to another key meanwhile (a renewal that read
 * the old copy) gets no stray copy of the old one.
 */
async function moveKey(deps: KeyMigrationDeps, reference: KeyReference): Promise<Outcome> {
  const name = reference.secretName;
  if (!deps.canHold(name)) return 'notMovable';
  if ((await deps.to.get(name)) !== null) {
    await deps.from.delete(name, { withoutRecovery: true });
    return 'alreadyThere';
  }
  const value = await deps.from.get(name);
  if (value === null) return 'missing';
  await deps.to.put(name, value);
  if ((await deps.to.get(name)) !== value) throw new Error(`The copy of ${name} does not read back as written; the source is kept`);
  // The copy is checked: no recovery window is needed for the source.
  await deps.from.delete(name, { withoutRecovery: true });
  if ((await deps.references.current(reference.organizationId, reference.certificateId)) !== name) {
    await deps.to.delete(name, { withoutRecovery: true });
  }
  return 'moved';
}

/**
 * Moves every certificate's current key from one key store to the other, a page at a time, a few keys at once, and
 * hands the progress to `saved` after each page. Idempotent: a second run over moved keys moves nothing.
 */
export async function migrateKeys(
  deps: KeyMigrationDeps,
  progress: KeyMigrationProgress,
  options: { pageSize: number; concurrency: number; saved: (progress: KeyMigrationProgress) => Promise<void> },
): Promise<KeyMigrationProgress> {
  let current = progress;
  while (!current.done) {
    const { references, next } = await deps.references.page(current.cursor, options.pageSize);
    const outcomes: Outcome[] = [];
    for (let index = 0; index < references.length; index += options.concurrency) {
      outcomes.push(...(await Promise.all(references.slice(index, index + options.concurrency).map((reference) => moveKey(deps, reference)))));
    }
    const count = (outcome: Outcome) => outcomes.filter((each) => each === outcome).length;
    current = {
      cursor: next,
      done: next === undefined,
      seen: current.seen + references.length,
      moved: current.moved + count('moved'),
      alreadyThere: current.alreadyThere + count('alreadyThere'),
      missing: current.missing + count('missing'),
      notMovable: current.notMovable + count('notMovable'),
    };
    await options.saved(current);
  }
  return current;
}
