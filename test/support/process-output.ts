/** What the process writes to stdout and stderr, kept while it is still written through. */
export interface ProcessOutput {
  /** Everything written since the capture began: the handlers run in this process, so their logs too. */
  text(): string;
  restore(): void;
}

/** Captures stdout and stderr, to prove that no secret is logged. */
export function captureProcessOutput(): ProcessOutput {
  let written = '';
  const originals = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
  for (const stream of ['stdout', 'stderr'] as const) {
    process[stream].write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return (originals[stream] as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
  }
  return {
    text: () => written,
    restore: () => {
      process.stdout.write = originals.stdout;
      process.stderr.write = originals.stderr;
    },
  };
}
