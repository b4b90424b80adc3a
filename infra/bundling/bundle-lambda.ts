import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { BuildOptions, Metafile } from 'esbuild';

/** The project root: the aliases' paths and the metafile's inputs are relative to it. */
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `require` for the CommonJS dependencies inside an ESM bundle (prepended to the entry and to every chunk). Aliased so
 * that it cannot collide with a bundled module's own `createRequire` import.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as certwrightCreateRequire } from 'module'; const require = certwrightCreateRequire(import.meta.url);";

/** Modules the Lambda bundles replace, and with what (relative to the project root). */
export const LAMBDA_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': './infra/bundling/lambda-credentials.ts',
  'form-data': './infra/bundling/no-form-data.ts',
};

/**
 * How every certwright Lambda is bundled (API, workflow steps and scheduled functions alike): esbuild, ESM for Node 22,
 * minified, with source maps, the AWS SDK inside (the tests ran that version, not whatever the runtime ships), and
 * code splitting: the entry becomes `index.mjs` and each dynamic `import()` (a DNS provider, the KMS client, acme-client
 * in the API) a chunk beside it that Node reads only when that code first runs. CDK's NodejsFunction cannot do this
 * (it passes esbuild `--outfile`, one file), so certwrightFunction runs this as the asset's local bundling.
 */
export const LAMBDA_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: true,
  splitting: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: ESM_REQUIRE_BANNER },
  // Two modules swapped for what a Lambda actually runs (each file says why).
  alias: { ...LAMBDA_ALIASES },
  absWorkingDir: projectRoot,
  logLevel: 'error',
} as const satisfies BuildOptions;

/** Bundles one function's entry file into `outdir` (index.mjs, chunks/, their maps); returns esbuild's metafile. */
export function bundleLambda(entry: string, outdir: string): Metafile {
  const result = buildSync({ ...LAMBDA_BUILD_OPTIONS, entryPoints: { index: entry }, outdir, metafile: true });
  return result.metafile;
}

/** The entry file's output in a bundle built by bundleLambda. */
export const bundleEntry = (outdir: string): string => join(outdir, 'index.mjs');
