import type { Command } from 'commander';
import { ApiClient } from './api-client.ts';
import { resolveTarget } from './config.ts';
import type { Style } from './format.ts';
import type { Io, Output } from './io.ts';
import { useColour, writeLine } from './io.ts';

/** What every command gets: the global flags, the streams and a client for the target. */
export interface CommandContext {
  io: Io;
  json: boolean;
  profile: string | undefined;
  style: Style;
  now: Date;
  /** Where human-readable progress goes: stdout, or stderr when stdout carries --json. */
  progressOut: Output;
  client(): Promise<ApiClient>;
  /** Prints `value` as JSON with --json, else `text` (nothing when null). */
  print(value: unknown, text: string | null): void;
}

export function commandContext(io: Io, command: Command): CommandContext {
  const options = command.optsWithGlobals<{ json?: boolean; profile?: string }>();
  const json = options.json === true;
  return {
    io,
    json,
    profile: options.profile,
    style: { colour: !json && useColour(io) },
    now: io.now?.() ?? new Date(),
    progressOut: json ? io.stderr : io.stdout,
    client: async () => new ApiClient(await resolveTarget(io, options.profile)),
    print(value, text) {
      if (json) writeLine(io.stdout, JSON.stringify(value, null, 2));
      else if (text !== null) writeLine(io.stdout, text);
    },
  };
}
