import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { certsCommand } from './commands/certs.ts';
import { exportCommand } from './commands/export.ts';
import { issuanceCommands } from './commands/issuance.ts';
import { loginCommand } from './commands/login.ts';
import { operatorCommand } from './commands/operator.ts';
import { statusCommand } from './commands/status.ts';
import { CliError, EXIT } from './errors.ts';
import type { Io } from './io.ts';
import { processIo, writeLine } from './io.ts';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The whole command tree, bound to `io`; a new one per run, so in-process runs share nothing. */
export function buildProgram(io: Io): Command {
  const program = new Command('certwright')
    .description('certwright: TLS certificates through the certwright HTTP API')
    .version(version)
    .option('--json', 'machine-readable output on stdout')
    .option('--profile <name>', 'the login profile to use (default: CERTWRIGHT_PROFILE or "default")')
    .showHelpAfterError('(certwright --help lists the commands)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(text.replace(/^error: /, 'certwright: ')),
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 1 failed (the API refused, the issuance failed, the network), 2 wrong usage or not logged in,\n' +
        '130 stopped by Ctrl-C (an issuance under way goes on; follow it with certwright wait <id>).',
    );
  loginCommand(program, io);
  certsCommand(program, io);
  issuanceCommands(program, io);
  statusCommand(program, io);
  exportCommand(program, io);
  operatorCommand(program, io);
  return program;
}

/** Runs one command line (without the program name) and returns its exit code; errors are one line on stderr. */
export async function run(argv: string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the message (or the help, or the version).
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      writeLine(io.stderr, `certwright: ${error.message}`);
      return error.exitCode;
    }
    // A bug of ours: one line, without a stack that could hold request details.
    writeLine(io.stderr, `certwright: unexpected error: ${(error as Error).message?.split('\n')[0] ?? String(error)}`);
    return EXIT.failed;
  }
}
