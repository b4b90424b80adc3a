import { setTimeout as delay } from 'node:timers/promises';
import type { ActivationScope } from '../domain/activation.ts';
import { activationChange } from '../domain/activation.ts';
import type { Certificate } from '../domain/certificate.ts';
import { createdAtOf } from '../domain/certificate-id.ts';
import { CertwrightError, ConflictError, NotFoundError } from '../domain/errors.ts';
import type { Principal } from '../domain/organization.ts';
import type { CursorPage } from '../ports/certificate-repository.ts';
import type { CoreDeps } from './core-deps.ts';
import { RecentFacts } from './recent-facts.ts';

/** A certificate as seen from one scope: whether it is switched on there. */
export interface ScopedCertificate {
  certificate: Certificate;
  active: boolean;
}

export interface ScopedPageRequest {
  limit: number;
  /** Id of the certificate the page continues after, or null for the first page. */
  after: string | null;
  order: 'asc' | 'desc';
}

export interface ScopedPage {
  items: ScopedCertificate[];
  hasMore: boolean;
}

type ActivationDeps = Pick<CoreDeps, 'certificates' | 'activations' | 'projects' | 'clock'>;

/** Concurrent activations of the same certificates are retried this often before the caller gets a 409. */
const ATTEMPTS = 5;

async function requireScope(deps: Pick<CoreDeps, 'projects'>, organizationId: number, scope: ActivationScope): Promise<void> {
  // Another organization's project does not exist for this caller.
  if (scope.type === 'project' && !(await deps.projects.get(organizationId, scope.projectId))) {
    throw new NotFoundError('Project');
  }
}

/**
 * Switches certificates on (or off) at a scope, all of them or none: an unknown id fails the whole call with
 * 404 before anything is written. Ids already in the wanted state are fine (idempotent). Concurrent calls over
 * the same ids are ordered: the batch ends as the call that committed last asked, never mixed.
 */
export async function setCertificateActivation(
  deps: ActivationDeps,
  principal: Principal,
  scope: ActivationScope,
  certificateIds: readonly string[],
  active: boolean,
): Promise<ScopedCertificate[]> {
  await requireScope(deps, principal.organizationId, scope);
  const ids = [...new Set(certificateIds)];
  for (let attempt = 1; ; attempt += 1) {
    const [certificates, current] = await Promise.all([
      deps.certificates.getMany(principal.organizationId, ids),
      deps.activations.activeAmong(scope, ids),
    ]);
    const found = new Map(certificates.map((c) => [c.id, c]));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new CertwrightError(
        'not_found',
        `No certificate with id ${missing.map((id) => `'${id}'`).join(', ')} in this organization; nothing was changed`,
      );
    }
    // Every id of the batch goes into the write, the unchanged ones too, so it commits only if none was switched
    // by someone else since this read: a lost race is read again and decided afresh (all or none, last one wins).
    const change = activationChange(ids, current, active, deps.clock.now().toISOString());
    try {
      await deps.activations.apply(principal.organizationId, scope, change);
    } catch (error) {
      // A concurrent call or delete changed what we read: read again, and the outcome is decided afresh. The pause
      // (short, growing, jittered) lets a transaction that still holds the same items on AWS finish first.
      if (!(error instanceof ConflictError && error.retryable && attempt < ATTEMPTS)) throw error;
      await delay(Math.random() * 10 * 2 ** (attempt - 1));
      continue;
    }
    return ids.flatMap((id) => {
      const certificate = found.get(id);
      return certificate ? [{ certificate, active }] : [];
    });
  }
}

/**
 * Creation times of certificates seen lately, by organization and id. A creation time never changes, so a
 * cursor (`after`) that was on a page served by this process needs no extra read to resume behind it.
 */
const createdAtSeen = new RecentFacts<string>(10_000);

function remember(certificates: readonly Pick<Certificate, 'organizationId' | 'id' | 'createdAt'>[]): void {
  for (const certificate of certificates) createdAtSeen.remember(`${certificate.organizationId}/${certificate.id}`, certificate.createdAt);
}

/**
 * The page behind the cursor `after`, which resumes at the cursor's creation time: remembered when this process
 * served the cursor, else read. While it is read, the page behind the time a UUIDv7 id carries is read already, and
 * used when the certificate's creation time is that one (it is for every certificate whose id carries it).
 */
async function pageAfter(deps: ActivationDeps, organizationId: number, request: ScopedPageRequest): Promise<CursorPage> {
  const page = (after: Pick<Certificate, 'id' | 'createdAt'> | null) =>
    deps.certificates.listByCursor(organizationId, { after, limit: request.limit, order: request.order });
  const id = request.after;
  if (id === null) return page(null);
  const seen = createdAtSeen.get(`${organizationId}/${id}`);
  if (seen !== undefined) return page({ id, createdAt: seen });
  const carried = createdAtOf(id);
  const early = carried === null ? null : page({ id, createdAt: carried });
  early?.catch(() => undefined);
  const after = await deps.certificates.get(organizationId, id);
  if (!after) throw new CertwrightError('not_found', `No certificate with id '${id}' (given as after) in this organization`);
  return early && after.createdAt === carried ? early : page(after);
}

/**
 * One cursor page of the organization's certificates, each with whether it is active at the scope. The scope's
 * active set and the cursor are read beside the page, not before it: a page costs one round trip to the table when
 * the cursor was served here or its id carries its creation time.
 */
export async function listScopedCertificates(
  deps: ActivationDeps,
  organizationId: number,
  scope: ActivationScope,
  request: ScopedPageRequest,
): Promise<ScopedPage> {
  const [active, page] = await Promise.all([
    deps.activations.activeIn(organizationId, scope),
    pageAfter(deps, organizationId, request),
    requireScope(deps, organizationId, scope),
  ]);
  remember(page.items);
  return { items: page.items.map((certificate) => ({ certificate, active: active.has(certificate.id) })), hasMore: page.hasMore };
}
