import type { OperationGroup } from '../../http/api-handler.ts';
import type { ApiResult } from '../../http/api-types.ts';

/** Scalar's API reference, pinned; the browser loads it, the API only serves this page and the document. */
export const SCALAR_SCRIPT = 'https://cdn.jsdelivr.net/npm/@scalar/api-reference@1.76.4';

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>certwright API reference</title>
  </head>
  <body>
    <noscript>The API reference needs JavaScript; the OpenAPI document itself is at <a href="openapi.json">openapi.json</a>.</noscript>
    <div id="app"></div>
    <script src="${SCALAR_SCRIPT}" crossorigin="anonymous"></script>
    <script>Scalar.createApiReference('#app', { url: 'openapi.json' });</script>
  </body>
</html>
`;

// The document committed in docs/openapi.json (the OpenAPI test keeps it current), read and serialized on the first
// request for it: 140 KB the function's cold start (it answers the CA's HTTP-01 requests) need not read.
let document: Promise<string> | undefined;
const openApiJson = (): Promise<string> =>
  (document ??= import('../../../docs/openapi.json', { with: { type: 'json' } }).then((module) => JSON.stringify(module.default)));

const reply = (contentType: string, body: string): ApiResult => ({
  statusCode: 200,
  headers: { 'content-type': contentType, 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' },
  body,
});

/** The API reference: the OpenAPI 3.1 document of every dialect, and a page that renders it. Public, no reads. */
export const referenceOperations = {
  'GET /openapi.json': async () => reply('application/json; charset=utf-8', await openApiJson()),
  'GET /docs': async () => reply('text/html; charset=utf-8', PAGE),
} satisfies OperationGroup<'acme-challenge', unknown>;
