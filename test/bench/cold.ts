/**
 * `npm run bench:cold`: builds every Lambda the way CDK does (bundleLambda, the function certwrightFunction's asset
 * runs: esbuild with code splitting, an index.mjs and its chunks) and measures, per function: the bytes Node loads at
 * start (index.mjs and the chunks it imports statically), the whole asset, what is loaded at start (from esbuild's
 * metafile), and the median time to import it in fresh Node 22 processes with a dummy environment, with and without
 * `--enable-source-maps`. Then, per chunk that certwright's own code loads with `import()` (a DNS provider, the KMS
 * client, the CA client in the API...), the bytes and time it adds when first used. Not a test: the tables go into
 * BENCHMARKS.md (BENCH_LABEL names the run).
 *
 * BENCH_RUNS (default 5) fresh processes per function and setting; BENCH_OUT another file; BENCH_WRITE=0 prints only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { bundleEntry, bundleLambda } from '../../infra/bundling/bundle-lambda.ts';
import { repoRoot } from '../../infra/constructs/certwright-function.ts';
import { ENV } from '../../shared/config/env-names.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LABEL = process.env.BENCH_LABEL ?? 'run';

/** What a cold start finds in the environment: enough for every function's configuration, nothing reachable. */
const DUMMY_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  [ENV.tableName]: 'certwright-bench',
  [ENV.secretPrefix]: 'certwright/',
  [ENV.secretKmsKeyId]: 'arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000',
  [ENV.issuanceStateMachineArn]: 'arn:aws:states:eu-west-1:123456789012:stateMachine:bench',
};

type Kind = 'api' | 'workflow' | 'scheduled';

interface Measured {
  name: string;
  kind: Kind;
  /** index.mjs and the chunks it imports statically: what Node reads and evaluates at a cold start. */
  bytes: number;
  /** Every .mjs of the asset (the lazy chunks too). */
  assetBytes: number;
  mapBytes: number;
  importMs: number;
  /** CPU ms of the same imports (see importMs). */
  importCpuMs: number;
  importMsWithMaps: number;
  /** Of what is loaded at start. */
  packages: Map<string, number>;
  lazy: LazyChunk[];
}

/** A chunk certwright's own code loads with `import()`, measured after index.mjs has loaded. */
interface LazyChunk {
  /** The module the `import()` names, e.g. cloudflare-dns-provider. */
  name: string;
  /** What it adds to what was loaded at start (itself and the chunks it imports that start did not load). */
  extraBytes: number;
  ms: number;
  cpuMs: number;
}

/** Every entry point CDK deploys: a file under functions/ that exports `handler`. */
async function entries(): Promise<{ name: string; kind: Kind; file: string }[]> {
  const found: { name: string; kind: Kind; file: string }[] = [];
  for (const kind of ['api', 'workflow', 'scheduled'] as const) {
    const folder = join(repoRoot, 'functions', kind);
    for (const file of (await readdir(folder)).filter((name) => name.endsWith('.ts')).sort()) {
      const source = await readFile(join(folder, file), 'utf8');
      if (/export const handler\b/.test(source)) found.push({ name: file.replace(/\.ts$/, ''), kind, file: join(folder, file) });
    }
  }
  return found;
}

/** The package a bundled input belongs to (`@scope/name` or `name`), or `certwright` for our own code. */
function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return 'certwright';
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? input);
}

/** Output bytes per package, from the metafile's per-input contribution to these outputs. */
function packagesOf(outputs: Metafile['outputs'][string][]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const output of outputs) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return sizes;
}

/** A bundle's .mjs outputs by absolute path (the metafile's are relative to the working directory). */
function outputsOf(metafile: Metafile): Map<string, Metafile['outputs'][string]> {
  return new Map(
    Object.entries(metafile.outputs)
      .filter(([path]) => path.endsWith('.mjs'))
      .map(([path, output]) => [resolve(repoRoot, path), output]),
  );
}

/** `file` and every output it imports statically, transitively: what loading it evaluates. */
function staticClosure(outputs: Map<string, Metafile['outputs'][string]>, file: string): Set<string> {
  const found = new Set<string>();
  const visit = (path: string) => {
    if (found.has(path) || !outputs.has(path)) return;
    found.add(path);
    for (const imported of outputs.get(path)!.imports) if (imported.kind === 'import-statement') visit(resolve(repoRoot, imported.path));
  };
  visit(file);
  return found;
}

const bytesOf = (outputs: Map<string, Metafile['outputs'][string]>, files: Iterable<string>) =>
  [...files].reduce((sum, file) => sum + (outputs.get(file)?.bytes ?? 0), 0);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/**
 * One fresh process: ms from the start of `import()` until the module (and its top-level wiring) has loaded, wall
 * time and the CPU time the process spent meanwhile (user + system, all its threads). On a machine other work
 * shares, the wall time grows with the load; the CPU time much less, so it is the figure to compare runs by there.
 * With `lazyChunk`: the bundle is imported first, and what is timed is importing the chunk after it.
 */
function importOnce(bundlePath: string, sourceMaps: boolean, lazyChunk?: string): { wall: number; cpu: number } {
  const script =
    'if (process.argv[2]) await import(process.argv[1]); const cpu = process.cpuUsage(); const started = performance.now(); await import(process.argv[2] || process.argv[1]); const used = process.cpuUsage(cpu); process.stdout.write(JSON.stringify([performance.now() - started, (used.user + used.system) / 1000]));';
  const args = [
    ...(sourceMaps ? ['--enable-source-maps'] : []),
    '--input-type=module',
    '-e',
    script,
    pathToFileURL(bundlePath).href,
    lazyChunk ? pathToFileURL(lazyChunk).href : '',
  ];
  const child = spawnSync(process.execPath, args, { env: DUMMY_ENV, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`importing ${lazyChunk ?? bundlePath} failed: ${child.stderr}`);
  const [wall, cpu] = JSON.parse(child.stdout) as [number, number];
  return { wall, cpu };
}

interface Samples {
  walls: number[];
  cpus: number[];
}
const samples = (): Samples => ({ walls: [], cpus: [] });
const add = (into: Samples, { wall, cpu }: { wall: number; cpu: number }) => {
  into.walls.push(wall);
  into.cpus.push(cpu);
};
const medians = (of: Samples) => ({ wall: median(of.walls), cpu: median(of.cpus) });

/** A function bundled and sized, with the import samples its rounds collect. */
interface Built {
  entry: { name: string; kind: Kind; file: string };
  bundlePath: string;
  plain: Samples;
  mapped: Samples;
  row: Omit<Measured, 'importMs' | 'importCpuMs' | 'importMsWithMaps'>;
}

/** Median of RUNS fresh processes, one after another (for the lazy chunks; the bundles are sampled in rounds). */
function importMs(bundlePath: string, sourceMaps: boolean, lazyChunk?: string): { wall: number; cpu: number } {
  const taken = samples();
  for (let run = 0; run < RUNS; run += 1) add(taken, importOnce(bundlePath, sourceMaps, lazyChunk));
  return medians(taken);
}

/** The chunks certwright's own code imports with `import()` (not those a library loads on its own), measured. */
function lazyChunks(outputs: Map<string, Metafile['outputs'][string]>, bundlePath: string, atStart: Set<string>): LazyChunk[] {
  const chunks: LazyChunk[] = [];
  for (const [file, output] of outputs) {
    const entry = output.entryPoint;
    if (!entry || file === bundlePath || entry.includes('node_modules/')) continue;
    const extra = [...staticClosure(outputs, file)].filter((path) => !atStart.has(path));
    const { wall, cpu } = importMs(bundlePath, false, file);
    chunks.push({ name: basename(entry).replace(/\.ts$/, ''), extraBytes: bytesOf(outputs, extra), ms: wall, cpuMs: cpu });
  }
  return chunks.sort((a, b) => a.name.localeCompare(b.name));
}

const KB = 1024;
const fmtKb = (bytes: number) => `${(bytes / KB).toFixed(0)} KB`;

/** The issue's targets: a step or job without acme-client 300 KB and 100 ms; CA functions and the API 1 MB and 200 ms. */
function target(row: Measured): { bytes: number; ms: number } {
  return row.kind === 'api' || row.packages.has('acme-client') ? { bytes: 1024 * KB, ms: 200 } : { bytes: 300 * KB, ms: 100 };
}

const HEAVY = [
  'acme-client',
  'axios',
  'node-forge',
  'zod',
  '@peculiar/x509',
  '@aws-sdk/client-route-53',
  '@aws-sdk/client-sfn',
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/client-kms',
  '@aws-sdk/client-eventbridge',
  '@aws-sdk/client-dynamodb',
  '@middy/core',
  '@aws-lambda-powertools/logger',
  '@aws-lambda-powertools/metrics',
];
const short = (name: string) => name.replace('@aws-sdk/client-', '').replace('@aws-lambda-powertools/', 'pt-').replace('@peculiar/', '');

async function main(): Promise<void> {
  const workdir = await mkdtemp(join(tmpdir(), 'certwright-bench-cold-'));
  const rows: Measured[] = [];
  try {
    const built: Built[] = [];
    for (const entry of await entries()) {
      const outdir = join(workdir, `${entry.kind}-${entry.name}`);
      const outputs = outputsOf(bundleLambda(entry.file, outdir));
      const bundlePath = bundleEntry(outdir);
      const atStart = staticClosure(outputs, bundlePath);
      let mapBytes = 0;
      for (const file of outputs.keys()) mapBytes += (await stat(`${file}.map`)).size;
      const row = {
        name: entry.name,
        kind: entry.kind,
        bytes: bytesOf(outputs, atStart),
        assetBytes: bytesOf(outputs, outputs.keys()),
        mapBytes,
        packages: packagesOf([...atStart].map((file) => outputs.get(file)!)),
        lazy: lazyChunks(outputs, bundlePath, atStart),
      };
      built.push({ entry, bundlePath, plain: samples(), mapped: samples(), row });
    }
    // In rounds, every function once per round: a moment of noise on the machine then touches every function a little
    // instead of all the runs of one (a run of 7 per function in a row gave the same bundle 160 ms in one run and 233 in the next).
    for (let run = 0; run < RUNS; run += 1) {
      for (const one of built) {
        add(one.plain, importOnce(one.bundlePath, false));
        add(one.mapped, importOnce(one.bundlePath, true));
      }
    }
    for (const { entry, plain, mapped, row: measured } of built) {
      const { wall, cpu } = medians(plain);
      const row: Measured = { ...measured, importMs: wall, importCpuMs: cpu, importMsWithMaps: medians(mapped).wall };
      rows.push(row);
      console.log(
        `${relative(repoRoot, entry.file)}: ${fmtKb(row.bytes)} at start of ${fmtKb(row.assetBytes)} (maps ${fmtKb(row.mapBytes)}), import ${row.importMs.toFixed(0)} ms (${row.importCpuMs.toFixed(0)} ms CPU), ${row.importMsWithMaps.toFixed(0)} ms with source maps; ${row.lazy.length} lazy chunks`,
      );
    }
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }

  const met = (row: Measured, ms: number = row.importMs) => {
    const limit = target(row);
    return row.bytes <= limit.bytes && ms <= limit.ms;
  };
  const all = median(rows.map((row) => row.importMs));
  const allCpu = median(rows.map((row) => row.importCpuMs));
  const cpu = cpus();
  const lines = [
    `### ${LABEL} (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${type()} ${release()}, Node ${process.versions.node}, esbuild ${(await import('esbuild')).version}; load average ${loadavg()
      .map((value) => value.toFixed(1))
      .join(' ')}. Median of ${RUNS} fresh processes per function and column.`,
    '',
    `| function | kind | at start | asset | .map | import ms | import, CPU ms | with --enable-source-maps | target | met | heavy packages loaded at start (KB) |`,
    '|---|---|---:|---:|---:|---:|---:|---:|---|---|---|',
    ...rows.map((row) => {
      const limit = target(row);
      const heavy = HEAVY.filter((name) => row.packages.has(name))
        .map((name) => `${short(name)} ${((row.packages.get(name) ?? 0) / KB).toFixed(0)}`)
        .join(', ');
      return `| ${row.name} | ${row.kind} | ${fmtKb(row.bytes)} | ${fmtKb(row.assetBytes)} | ${fmtKb(row.mapBytes)} | ${row.importMs.toFixed(0)} | ${row.importCpuMs.toFixed(0)} | ${row.importMsWithMaps.toFixed(0)} | <= ${fmtKb(limit.bytes)}, <= ${limit.ms} ms | ${met(row) ? 'yes' : '**no**'} | ${heavy || '-'} |`;
    }),
    `| **median of all** | | ${fmtKb(median(rows.map((row) => row.bytes)))} | | | **${all.toFixed(0)}** | ${median(rows.map((row) => row.importCpuMs)).toFixed(0)} | ${median(rows.map((row) => row.importMsWithMaps)).toFixed(0)} | <= 150 ms | ${all <= 150 ? 'yes' : '**no**'} | |`,
    '',
    `Targets met: ${rows.filter((row) => met(row)).length} of ${rows.length} functions; median of all ${all <= 150 ? 'met' : 'not met'}. ` +
      `By CPU time instead of wall time: ${rows.filter((row) => met(row, row.importCpuMs)).length} of ${rows.length}; median of all ${allCpu <= 150 ? 'met' : 'not met'}.`,
    '',
    'Loaded on first use: each chunk certwright imports with `import()` (named by the module it imports), imported after index.mjs; the bytes it adds to what was loaded at start, then the median import ms, wall / CPU.',
    '',
    '| function | chunks loaded on first use: + KB, wall / CPU ms |',
    '|---|---|',
    ...rows
      .filter((row) => row.lazy.length > 0)
      .map(
        (row) =>
          `| ${row.name} | ${row.lazy.map((chunk) => `${chunk.name} +${(chunk.extraBytes / KB).toFixed(0)} KB, ${chunk.ms.toFixed(0)} / ${chunk.cpuMs.toFixed(0)}`).join('; ')} |`,
      ),
    '',
  ];
  const section = lines.join('\n');
  console.log(`\n${section}`);
  if (process.env.BENCH_WRITE === '0') return;

  // The runs go at the end of the cold-start section, next to the figures the issue started from.
  const file = process.env.BENCH_OUT ?? join(repoRoot, 'BENCHMARKS.md');
  const heading = '## Cold start: bundle bytes and import time (`npm run bench:cold`, issue 12)';
  const existing = await readFile(file, 'utf8').catch(() => '# Benchmarks\n');
  const at = existing.indexOf(heading);
  let updated: string;
  if (at < 0) updated = `${existing.trimEnd()}\n\n${heading}\n\n${section}`;
  else {
    const next = existing.indexOf('\n## ', at + heading.length);
    const end = next < 0 ? existing.length : next + 1;
    updated = `${existing.slice(0, end).trimEnd()}\n\n${section}\n${next < 0 ? '' : `\n${existing.slice(end)}`}`;
  }
  await writeFile(file, updated);
  console.log(`written to ${file}`);
}

await main();
