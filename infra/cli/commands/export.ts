import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CertificateResource } from '../certificate-resource.ts';
import { commandContext } from '../context.ts';
import { CliError } from '../errors.ts';
import type { Io } from '../io.ts';

const withNewline = (pem: string) => (pem === '' || pem.endsWith('\n') ? pem : `${pem}\n`);

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Writes through a new file created with its final mode and renamed into place, so a private key is never, even
 * for a moment, in a file another user may read (an existing file would keep its old mode through a plain write).
 */
async function writeFileAtomically(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, content, { mode, flag: 'wx' });
    await chmod(temporary, mode);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export function exportCommand(program: Command, io: Io): void {
  program
    .command('export')
    .description('write cert.pem, chain.pem, fullchain.pem and privkey.pem (0600) for a web server (needs certificates:export)')
    .argument('<id>', 'certificate id')
    .requiredOption('--out <dir>', 'the directory to write to (created 0700 when missing)')
    .option('--force', 'overwrite files that are there already')
    .action(async (id: string, flags: { out: string; force?: boolean }, command: Command) => {
      const context = commandContext(io, command);
      const directory = resolve(flags.out);
      const files = {
        'cert.pem': join(directory, 'cert.pem'),
        'chain.pem': join(directory, 'chain.pem'),
        'fullchain.pem': join(directory, 'fullchain.pem'),
        'privkey.pem': join(directory, 'privkey.pem'),
      };
      // Checked before asking the API, so a refusal neither writes anything nor fetches the key.
      if (!flags.force) {
        const present = [];
        for (const [name, path] of Object.entries(files)) if (await exists(path)) present.push(name);
        if (present.length > 0) throw new CliError(`${present.join(', ')} already in ${directory}; pass --force to overwrite`);
      }
      const client = await context.client();
      const { body } = await client.request<CertificateResource>(
        'GET',
        `${client.certificates}/${encodeURIComponent(id)}?include=privateKeyData`,
      );
      if (!body.certificateData) throw new CliError(`certificate ${id} has not been issued yet (status ${body.status})`);
      if (!body.privateKeyData)
        throw new CliError(`certificate ${id} has no private key stored, so there is nothing to export for a web server`);
      const certificate = withNewline(body.certificateData);
      const chain = withNewline(body.chainData ?? '');
      await mkdir(directory, { recursive: true, mode: 0o700 });
      await writeFileAtomically(files['cert.pem'], certificate, 0o644);
      await writeFileAtomically(files['chain.pem'], chain, 0o644);
      await writeFileAtomically(files['fullchain.pem'], certificate + chain, 0o644);
      await writeFileAtomically(files['privkey.pem'], withNewline(body.privateKeyData), 0o600);
      context.print(
        { id, directory, files: Object.values(files) },
        `Wrote cert.pem, chain.pem, fullchain.pem and privkey.pem (mode 0600) for ${id} to ${directory}`,
      );
    });
}
