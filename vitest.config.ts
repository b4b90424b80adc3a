import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { AWS_CALLS_DIR } from './test/support/aws-calls-dir.ts';
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
