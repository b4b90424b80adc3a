import { NotFoundError } from '../../domain/errors.ts';
import type { OperationGroup } from '../../http/api-handler.ts';
import type { ApiEvent } from '../../http/api-types.ts';
import { json } from '../../http/api-types.ts';
import type { CertificateApiDeps } from '../../use-cases/core-deps.ts';
import { JSON_LD } from './paging.ts';
import { apiDocumentation, apiDocumentationLink, entrypoint, jsonLdContext, requestOrigin } from './vocabulary.ts';

/** The same for every caller and every release of a deployment: a client may keep it a while. */
const PUBLIC_DOCUMENT = { ...JSON_LD, 'cache-control': 'public, max-age=300' };

/** `https://host` as the client reached the API: contexts name their vocabulary by it, as API Platform's do. */
export const originOf = (event: ApiEvent): string => requestOrigin(event.headers, event.requestContext.domainName);

/** The Link header every platform reply carries, errors included, so a Hydra client can find the documentation from any reply. */
export const platformReplyHeaders = (event: ApiEvent): Record<string, string> => ({ link: apiDocumentationLink(originOf(event)) });

/** Public: the entrypoint, the JSON-LD contexts the replies name, and the Hydra API documentation. */
export function documentationOperations() {
  return {
    'GET /api': async () => json(200, entrypoint(), PUBLIC_DOCUMENT),
    'GET /api/docs.jsonld': async ({ event }) => json(200, apiDocumentation(originOf(event)), PUBLIC_DOCUMENT),
    'GET /api/contexts/{shortName}': async ({ event, params }) => {
      const context = jsonLdContext(params.shortName ?? '', originOf(event));
      if (!context) throw new NotFoundError('Context');
      return json(200, context, PUBLIC_DOCUMENT);
    },
  } satisfies OperationGroup<'platform', CertificateApiDeps>;
}
