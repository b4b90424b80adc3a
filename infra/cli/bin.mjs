#!/usr/bin/env node
// The `certwright` bin: runs the TypeScript CLI through tsx, as the project runs all its TypeScript (no build step).
// npm puts node_modules/.bin first on PATH for npx and scripts, so `node` here is the project's pinned Node 22.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { run } = await import('./main.ts');
process.exitCode = await run(process.argv.slice(2));
