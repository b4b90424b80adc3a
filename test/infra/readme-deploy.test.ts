import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../support/cloudformation.ts';
import { synthesizedApp } from '../support/synthesized-app.ts';

/** The deploy page (docs/deploying.md, linked from the README), read as an operator would follow it, against what `cdk deploy` really outputs. */
const section = readFileSync(new URL('../../docs/deploying.md', import.meta.url), 'utf8');
const scripts = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts;

let outputs: Map<string, Set<string>>;
beforeAll(async () => {
  outputs = new Map(
    (await synthesizedApp()).map((stack) => [
      stack.stackName,
      new Set(Object.keys(((stack.template as Json).Outputs ?? {}) as Json).filter((key) => !key.startsWith('ExportsOutput'))),
    ]),
  );
});

describe('docs/deploying.md: Deploying to AWS', () => {
  it('names every output by the stack that really has it, and names them all', () => {
    const named = [...section.matchAll(/\b(Certwright[A-Za-z]+-prod)\.([A-Za-z]+)\b/g)].map(([, stack, output]) => `${stack}.${output}`);
    const real = [...outputs].flatMap(([stack, keys]) => [...keys].map((key) => `${stack}.${key}`));
    expect(named.length).toBeGreaterThan(0);
    expect([...new Set(named)].sort()).toEqual(real.sort());
  });

  it('names stacks that the app deploys, and commands that exist', () => {
    // Stack names carry the stage: `prod` unless `-c certwright:stage=...` says otherwise.
    for (const stack of section.match(/\bCertwright[A-Z][a-z]+\b(?!-staging)(-prod)?/g) ?? []) expect([...outputs.keys()]).toContain(stack);
    for (const [, script] of section.matchAll(/npm run ([\w:-]+)/g)) expect(Object.keys(scripts)).toContain(script);
  });
});
