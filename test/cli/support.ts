import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { run } from '../../infra/cli/main.ts';
import type { Io } from '../../infra/cli/io.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (the --json output). */
  json(): any;
}

export interface CliRunOptions {
  env?: Record<string, string | undefined>;
  /** Presses Ctrl-C once stdout shows this. */
  interruptWhen?: RegExp;
}

/** A home of its own per test file: its config file, and a place for exported files. */
export interface CliHome {
  dir: string;
  /** The config file the CLI reads and writes (CERTWRIGHT_CONFIG). */
  configFile: string;
  env: Record<string, string>;
  cli(argv: string[], options?: CliRunOptions): Promise<CliResult>;
  remove(): Promise<void>;
}

function collector(onWrite: (all: string) => void = () => undefined) {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      onWrite(text);
      done();
    },
  });
  return { stream, text: () => text };
}

/** Runs the CLI in-process, as a non-terminal (plain progress lines), with a quick poll for --wait. */
export async function cliHome(): Promise<CliHome> {
  const dir = await mkdtemp(join(tmpdir(), 'certwright-cli-'));
  const configFile = join(dir, 'config', 'certwright.json');
  const env = { HOME: dir, CERTWRIGHT_CONFIG: configFile };
  return {
    dir,
    configFile,
    env,
    async cli(argv, options = {}) {
      let interrupt: (() => void) | undefined;
      let interrupted = false;
      const stdout = collector((all) => {
        if (!interrupted && interrupt && options.interruptWhen?.test(all)) {
          interrupted = true;
          setImmediate(interrupt);
        }
      });
      const stderr = collector();
      const io: Io = {
        stdout: stdout.stream,
        stderr: stderr.stream,
        stdin: new PassThrough(),
        env: { ...env, ...options.env },
        onInterrupt(handler) {
          interrupt = handler;
          return () => {
            interrupt = undefined;
          };
        },
        pollIntervalMs: 50,
      };
      const code = await run(argv, io);
      return { code, stdout: stdout.text(), stderr: stderr.text(), json: () => JSON.parse(stdout.text()) };
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
