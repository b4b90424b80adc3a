import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalStack } from '../../infra/local/stack.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { generateTokenValue } from '../../shared/use-cases/api-tokens.ts';
import { CURL_WRAPPER, curlBlocks, instrument } from './shell-examples.ts';

/**
 * Every curl example of the README and docs/, run as written, page by page in order (one bash per page, so a page's
 * variables carry from block to block), against a local stack started as `npm start` starts it: a data directory
 * `.local/` with bootstrap.json and Pebble's endpoints, the working directory at its parent. Each curl must exit 0
 * and answer 2xx, or the status its command's trailing `# NNN` comment names; each page's script must exit 0.
 */
const root = new URL('../../', import.meta.url);
const docs = (await readdir(new URL('docs/', root))).filter((name) => name.endsWith('.md')).sort();
const pages = await Promise.all(
  ['README.md', ...docs.map((name) => `docs/${name}`)].map(async (page) => ({ page, blocks: curlBlocks(page, await readFile(new URL(page, root), 'utf8')) })),
);
const runnable = pages.filter((page) => page.blocks.length > 0);

let stack: LocalStack;
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'certwright-docs-'));
  const dataDir = join(workDir, '.local');
  await mkdir(dataDir, { mode: 0o700 });
  const token = generateTokenValue();
  stack = await startLocalStack({
    port: 0,
    dataDir,
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: `docs-${randomUUID()}`,
    bootstrapToken: token,
    acme: { pebble: true },
  });
  // What `npm start` writes (infra/local/main.ts): the URL and what the bootstrap made (organization, tokens).
  await writeFile(join(dataDir, 'bootstrap.json'), JSON.stringify({ ...stack.bootstrap, apiUrl: stack.url, token }), { mode: 0o600 });
});

afterAll(async () => {
  await stack?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

function runBash(script: string, log: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd: workDir, env: { ...process.env, CW_LOG: log }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('the curl examples of the README and docs/', () => {
  it('finds the pages with examples', () => {
    expect(runnable.map((page) => page.page)).toEqual(expect.arrayContaining(['README.md', 'docs/platform.md', 'docs/admin.md', 'docs/projects.md']));
  });

  it.each(runnable.map((page) => [page.page, page] as const))('%s runs as written', async (_name, { page, blocks }) => {
    const log = join(workDir, `curl-${page.replace(/\W/g, '_')}.log`);
    const script = ['set -e', CURL_WRAPPER, ...blocks.map(instrument)].join('\n');
    const { code, output } = await runBash(script, log);
    const calls = (await readFile(log, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [expected, status, exit, where] = line.split(' ');
        return { expected, status, exit, where };
      });
    // The output (the doc's own prints) only when something failed: it is what a reader would have seen.
    expect(code, `${page} stopped with status ${code}:\n${output.slice(-2000)}`).toBe(0);
    expect(calls.length, `${page}: no curl ran`).toBeGreaterThan(0);
    const wrong = calls.filter(
      ({ expected, status, exit }) => exit !== '0' || (expected !== 'skip' && (expected === '2xx' ? !/^2\d\d$/.test(status ?? '') : status !== expected)),
    );
    expect(wrong, `${page}: curl calls that did not answer as the page says`).toEqual([]);
  });
});
