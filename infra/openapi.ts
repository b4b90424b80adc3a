import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from '../shared/openapi/document.ts';

export const OPENAPI_FILE = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

/** The OpenAPI document as committed in docs/openapi.json (and served at /openapi.json): two-space JSON, newline at the end. */
export function openApiText(): string {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return `${JSON.stringify(buildOpenApiDocument({ version }), null, 2)}\n`;
}

// `npm run openapi` writes it; the OpenAPI test fails while the committed file differs from what the code generates.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_FILE, openApiText());
  console.log(`wrote ${OPENAPI_FILE}`);
}
