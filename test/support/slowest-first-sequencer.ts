import { relative } from 'node:path';
import { BaseSequencer } from 'vitest/node';
import type { TestSpecification } from 'vitest/node';

/**
 * The files that take longest, in the order they should start (single-file times on the 2-core CI machine; figures
 * in BENCHMARKS.md, "Test suite wall time"). A file that starts last decides when the run ends, so the long ones go
 * first; and the two that use both cores alone (simulated-year: the planner and DynamoDB Local; template: esbuild
 * bundling every function) do not start together: on a loaded machine both ran past their 120 s limits that way.
 * The one after simulated-year mostly waits (curl and sleep, a fake vendor's backoff), so template starts about
 * when simulated-year ends.
 */
export const SLOWEST_FILES = [
  'test/e2e/simulated-year.test.ts',
  'test/docs/docs-examples.test.ts',
  'test/adapters/google-dns-provider.test.ts',
  'test/infra/template.test.ts',
  'test/e2e/faults.test.ts',
  'test/handlers/admin-certificates.test.ts',
  'test/handlers/identity.test.ts',
  'test/infra/workflow.test.ts',
];

/**
 * Starts the files of SLOWEST_FILES first, in that order, then the others as vitest orders them (by the durations
 * of the last run where it has them, else larger files first). A clean clone, as on CI, has no last run, and
 * file size says little about time there (a 21 kB file runs 60 s, a 40 kB one 30 s). Groups (sequence.groupOrder,
 * the iam project after the suite) keep their order.
 */
export default class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const index = SLOWEST_FILES.indexOf(relative(spec.project.config.root, spec.moduleId).replaceAll('\\', '/'));
      return index === -1 ? SLOWEST_FILES.length : index;
    };
    const position = new Map(sorted.map((spec, index) => [spec, index]));
    return [...sorted].sort(
      (a, b) =>
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder ||
        rank(a) - rank(b) ||
        position.get(a)! - position.get(b)!,
    );
  }
}
