import type { Readable, Writable } from 'node:stream';

/** A stream the CLI writes to; `isTTY` decides between the live view and plain lines. */
export type Output = Writable & { isTTY?: boolean; columns?: number };

/** Everything the CLI touches outside itself, so that tests run it in-process with their own streams. */
export interface Io {
  stdout: Output;
  stderr: Output;
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Calls `handler` on Ctrl-C (SIGINT) while registered; returns the function that unregisters it. */
  onInterrupt(handler: () => void): () => void;
  /** How often `--wait` asks the API for progress. */
  pollIntervalMs?: number;
  /** The clock, for "expires in N days". */
  now?: () => Date;
}

/** The real process: its streams, its environment, SIGINT. */
export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
  };
}

export const writeLine = (stream: Output, line = ''): void => {
  stream.write(`${line}\n`);
};

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColour(io: Io, stream: Output = io.stdout): boolean {
  return stream.isTTY === true && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
}
