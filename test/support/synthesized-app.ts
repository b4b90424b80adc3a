import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Json } from './cloudformation.ts';

/** The environment variable naming the folder where one test run keeps the synthesized apps it shares (vitest.config.ts). */
export const SYNTH_DIR = 'CERTWRIGHT_SYNTH_DIR';

export interface SynthesizedStack {
  /** The construct id, e.g. `CertwrightLifecycle`. */
  id: string;
  /** The deployed name, e.g. `CertwrightLifecycle-prod`. */
  stackName: string;
  template: Json;
}

/** Long enough for a synth on a loaded machine; a file that waits longer synthesizes the app itself. */
const WAIT_MS = 150_000;
const POLL_MS = 100;

async function synthesize(context: Record<string, unknown>): Promise<SynthesizedStack[]> {
  // Loaded only here: a file that finds the app already synthesized never loads the CDK constructs.
  const { createCertwrightApp } = await import('../../infra/app.ts');
  const assembly = createCertwrightApp({ context: { 'aws:cdk:bundling-stacks': [], ...context } }).app.synth();
  return assembly.stacks.map((stack) => ({ id: stack.id, stackName: stack.stackName, template: stack.template as Json }));
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What the templates are made from, as file names, sizes and modification times: a run kept open (vitest watch)
 * synthesizes again after an edit instead of reading what the code made before it.
 */
function sourcesFingerprint(): string {
  const hash = createHash('sha256');
  const visit = (relative: string) => {
    for (const entry of readdirSync(join(ROOT, relative), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(relative, entry.name);
      if (entry.isDirectory()) visit(path);
      else {
        const stat = statSync(join(ROOT, path));
        hash.update(`${path} ${stat.size} ${stat.mtimeMs}\n`);
      }
    }
  };
  for (const folder of ['infra', 'shared', 'functions']) visit(folder);
  for (const file of ['cdk.json', 'package-lock.json']) hash.update(`${file} ${statSync(join(ROOT, file)).mtimeMs}\n`);
  return hash.digest('hex');
}

const inProcess = new Map<string, Promise<SynthesizedStack[]>>();

/**
 * The whole app (createCertwrightApp, its cdk-nag checks included) synthesized without bundling, with `context` over
 * cdk.json's: the templates every stack would deploy. Many infra test files read the same app; synthesizing it takes
 * seconds of CPU each time, so one test run does it once per context: the first process to ask synthesizes it and
 * writes it to the run's folder (SYNTH_DIR), the others wait for that file and read it. A synth that throws is
 * written down too, and thrown in every process that asks. Without SYNTH_DIR, once per process.
 */
export function synthesizedApp(context: Record<string, unknown> = {}): Promise<SynthesizedStack[]> {
  const key = createHash('sha256').update(JSON.stringify(context)).update(sourcesFingerprint()).digest('hex').slice(0, 16);
  let result = inProcess.get(key);
  if (!result) {
    result = shared(key, context);
    inProcess.set(key, result);
  }
  return result;
}

/** The stack of the synthesized app with construct id `id` (`CertwrightLifecycle`...). */
export async function synthesizedStack(id: string, context: Record<string, unknown> = {}): Promise<SynthesizedStack> {
  const stack = (await synthesizedApp(context)).find((candidate) => candidate.id === id);
  if (!stack) throw new Error(`the app has no stack ${id}`);
  return stack;
}

async function shared(key: string, context: Record<string, unknown>): Promise<SynthesizedStack[]> {
  const directory = process.env[SYNTH_DIR];
  if (!directory) return synthesize(context);
  const file = join(directory, `${key}.json`);
  try {
    // mkdir is atomic: the one process that creates the lock synthesizes, the others wait for its file.
    mkdirSync(join(directory, `${key}.lock`), { recursive: false });
  } catch {
    return waitFor(file, context);
  }
  let outcome: { stacks: SynthesizedStack[] } | { error: string };
  try {
    outcome = { stacks: await synthesize(context) };
  } catch (error) {
    outcome = { error: error instanceof Error ? error.message : String(error) };
  }
  writeFileSync(`${file}.partial`, JSON.stringify(outcome));
  renameSync(`${file}.partial`, file);
  if ('error' in outcome) throw new Error(outcome.error);
  return outcome.stacks;
}

async function waitFor(file: string, context: Record<string, unknown>): Promise<SynthesizedStack[]> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const text = readIfThere(file);
    if (text !== null) {
      const outcome = JSON.parse(text) as { stacks: SynthesizedStack[] } | { error: string };
      if ('error' in outcome) throw new Error(outcome.error);
      return outcome.stacks;
    }
    await sleep(POLL_MS);
  }
  // The process that took the lock died before writing (killed, or its file timed out): do it here.
  return synthesize(context);
}

function readIfThere(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
