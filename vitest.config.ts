import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { AWS_CALLS_DIR } from './test/support/aws-calls-dir.ts';
import SlowestFirstSequencer from './test/support/slowest-first-sequencer.ts';
import { SYNTH_DIR } from './test/support/synthesized-app.ts';

// Every test process records the AWS calls the functions make here (test/support/aws-calls.ts); the IAM
// conformance check (test/iam) reads them once every other test file has run.
process.env[AWS_CALLS_DIR] ??= mkdtempSync(join(tmpdir(), 'certwright-aws-calls-'));
// The infra test files that read the same synthesized app share one synth per run (test/support/synthesized-app.ts).
process.env[SYNTH_DIR] ??= mkdtempSync(join(tmpdir(), 'certwright-synth-'));

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time at least: vitest's default (one less than the CPUs) ran one at a time on a 2-core CI machine,
    // where most files spend their time waiting for DynamoDB Local, Pebble or a child process. VITEST_MAX_WORKERS=1
    // runs one at a time again. The order they start in: test/support/slowest-first-sequencer.ts.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: SlowestFirstSequencer },
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: ['test/iam/**'],
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/aws-calls.ts'],
        },
      },
      // After the suite (a higher group runs once the lower ones are done): it needs what they recorded.
      { extends: true, test: { name: 'iam', include: ['test/iam/**/*.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
