import * as z from 'zod';
import type { ActivationScope } from '../../domain/activation.ts';
import { MAX_ACTIVATION_BATCH, organizationScope, projectScope } from '../../domain/activation.ts';
import { CertwrightError, ValidationError } from '../../domain/errors.ts';
import type { Operation, Operations } from '../../http/api-handler.ts';
import { readingAhead } from '../../http/api-handler.ts';
import { json } from '../../http/api-types.ts';
import { parseWith, readJsonBody } from '../../http/request.ts';
import { listScopedCertificates, setCertificateActivation } from '../../use-cases/certificate-activation.ts';
import { getCertificate } from '../../use-cases/certificate-queries.ts';
import type { CertificateApiDeps } from '../../use-cases/core-deps.ts';
import { deleteCertificate } from '../../use-cases/delete-certificate.ts';
import { renameCertificate } from '../../use-cases/rename-certificate.ts';
import { uploadCustomCertificate } from '../../use-cases/upload-custom-certificate.ts';
import { etagOf, ifMatchVersion } from '../platform/etag.ts';
import { COLLECTION_FULL_MEMBER_BYTES } from '../platform/presenter.ts';
import type { ScopedObjectType } from './presenter.ts';
import { certificateList, certificateObject, deletedCertificate, scopedCertificateObject } from './presenter.ts';

export interface AdminOptions {
  maxBodyBytes: number;
}

const JSON_TYPES = ['application/json'];
const required = (param: string) => `Missing required parameter: '${param}'.`;
const name = z
  .string({ message: "'name' must be a string." })
  .trim()
  .min(1, "'name' must not be empty.")
  .max(200, "'name' is at most 200 characters.");

const uploadSchema = z.strictObject(
  {
    certificate: z.string({ message: required('certificate') }).min(1, required('certificate')),
    name: name.optional(),
    // A private key is optional here: certificates for trust and mTLS come without one.
    private_key: z.string({ message: "'private_key' must be a PEM string." }).nullish(),
    chain: z.string({ message: "'chain' must be a PEM string." }).nullish(),
  },
  { message: 'Unrecognized request argument supplied.' },
);

const modifySchema = z.strictObject(
  { name: z.string({ message: required('name') }).pipe(name) },
  { message: 'Only name can be modified.' },
);

const activationSchema = z.strictObject(
  {
    certificate_ids: z
      .array(z.string({ message: 'Each certificate id must be a string.' }).min(1, 'A certificate id must not be empty.'), {
        message: required('certificate_ids'),
      })
      .min(1, `'certificate_ids' needs 1 to ${MAX_ACTIVATION_BATCH} ids.`)
      .max(MAX_ACTIVATION_BATCH, `'certificate_ids' needs 1 to ${MAX_ACTIVATION_BATCH} ids.`),
  },
  { message: 'Unrecognized request argument supplied.' },
);

/** A request that does not fit the schema is a plain invalid request, told apart from a certificate that fails its checks. */
function parseRequest<T>(schema: Parameters<typeof parseWith<T>>[0], value: unknown): T {
  try {
    return parseWith(schema, value);
  } catch (error) {
    if (error instanceof ValidationError) throw new CertwrightError('bad_request', error.message, { violations: error.violations });
    throw error;
  }
}

/** A query parameter mistake, named by its parameter. */
const badParameter = (param: string, message: string) =>
  new CertwrightError('bad_request', message, { violations: [{ field: param, message }] });

function pageRequest(query: URLSearchParams) {
  const rawLimit = query.get('limit');
  let limit = 20;
  if (rawLimit !== null) {
    limit = Number(rawLimit);
    if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > 100) throw badParameter('limit', "'limit' must be an integer from 1 to 100.");
  }
  const order = query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw badParameter('order', "'order' must be 'asc' or 'desc'.");
  const after = query.get('after');
  if (after === '') throw badParameter('after', "'after' must be a certificate id.");
  return { limit, order, after } as const;
}

function wantsContent(query: URLSearchParams): boolean {
  const include = [...query.getAll('include[]'), ...query.getAll('include')].flatMap((value) => value.split(','));
  const unknown = include.find((value) => value !== 'content');
  if (unknown !== undefined) throw badParameter('include[]', `'include[]' accepts only 'content', not '${unknown}'.`);
  return include.length > 0;
}

/** The first objects whose JSON fits in `budget` bytes, and always the first one. */
function withinBudget<T>(objects: T[], budget: number): T[] {
  let left = budget;
  const kept: T[] = [];
  for (const object of objects) {
    left -= Buffer.byteLength(JSON.stringify(object));
    if (left < 0 && kept.length > 0) break;
    kept.push(object);
  }
  return kept;
}

const OBJECT_TYPE: Record<ActivationScope['type'], ScopedObjectType> = {
  organization: 'organization.certificate',
  project: 'organization.project.certificate',
};

export function adminOperations(options: AdminOptions): Operations<'admin', CertificateApiDeps> {
  const body = (event: Parameters<Operation<CertificateApiDeps>>[0]['event']) =>
    readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: JSON_TYPES });

  // The page is read while the credential is checked, for the organization the credential claims (see readingAhead).
  const list = (scopeOf: (params: Readonly<Record<string, string>>) => ActivationScope): Operation<CertificateApiDeps> =>
    readingAhead(
      (deps, { organizationId, params, query }) => listScopedCertificates(deps, organizationId, scopeOf(params), pageRequest(query)),
      async ({ params, query }, read) => {
        const scope = scopeOf(params);
        const withContent = wantsContent(query);
        const page = await read;
        const data = page.items.map((item) => scopedCertificateObject(OBJECT_TYPE[scope.type], item, withContent));
        if (!withContent) return json(200, certificateList(data, page.hasMore));
        // With the PEM a page of 100 could pass Lambda's 6 MB reply limit: it ends early (has_more, and last_id to go
        // on from) once its objects pass the byte budget, as a cursor page may hold fewer than `limit`.
        const kept = withinBudget(data, COLLECTION_FULL_MEMBER_BYTES);
        return json(200, certificateList(kept, page.hasMore || kept.length < data.length));
      },
    );

  const activation =
    (scopeOf: (params: Readonly<Record<string, string>>) => ActivationScope, active: boolean): Operation<CertificateApiDeps> =>
    async ({ deps, principal, params, event }) => {
      const scope = scopeOf(params);
      const input = parseRequest(activationSchema, body(event));
      const changed = await setCertificateActivation(deps, principal, scope, input.certificate_ids, active);
      return json(
        200,
        certificateList(
          changed.map((item) => scopedCertificateObject(OBJECT_TYPE[scope.type], item)),
          false,
        ),
      );
    };

  const organization = () => organizationScope;
  const project = (params: Readonly<Record<string, string>>) => projectScope(params.project_id ?? '');

  return {
    'GET /v1/organization/certificates': list(organization),

    'POST /v1/organization/certificates': async ({ deps, principal, event }) => {
      const input = parseRequest(uploadSchema, body(event));
      const certificate = await uploadCustomCertificate(
        deps,
        principal,
        { name: input.name, certificate: input.certificate, privateKey: input.private_key, chain: input.chain },
        { requirePrivateKey: false },
      );
      return json(200, certificateObject(certificate));
    },

    'POST /v1/organization/certificates/activate': activation(organization, true),
    'POST /v1/organization/certificates/deactivate': activation(organization, false),

    'GET /v1/organization/certificates/{certificate_id}': async ({ deps, principal, params, query }) => {
      const withContent = wantsContent(query);
      const certificate = await getCertificate(deps, principal.organizationId, params.certificate_id ?? '');
      return json(200, certificateObject(certificate, withContent), { etag: etagOf(certificate.version) });
    },

    'POST /v1/organization/certificates/{certificate_id}': async ({ deps, principal, params, event }) => {
      const input = parseRequest(modifySchema, body(event));
      const certificate = await renameCertificate(deps, principal, params.certificate_id ?? '', input.name, ifMatchVersion(event));
      return json(200, certificateObject(certificate), { etag: etagOf(certificate.version) });
    },

    'DELETE /v1/organization/certificates/{certificate_id}': async ({ deps, principal, params }) => {
      const deleted = await deleteCertificate(deps, principal, params.certificate_id ?? '');
      return json(200, deletedCertificate(deleted.id));
    },

    'GET /v1/organization/projects/{project_id}/certificates': list(project),
    'POST /v1/organization/projects/{project_id}/certificates/activate': activation(project, true),
    'POST /v1/organization/projects/{project_id}/certificates/deactivate': activation(project, false),
  };
}
