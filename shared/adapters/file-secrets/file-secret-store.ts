import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretStore } from '../../ports/secret-store.ts';

/**
 * The local stack's stand-in for Secrets Manager: one file per secret, readable by the owner only (0600).
 * Writes go to a temporary file first, so a crash never leaves half a key behind.
 */
export class FileSecretStore implements SecretStore {
  constructor(private readonly directory: string) {}

  async put(name: string, value: string): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const target = this.pathOf(name);
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, value, { mode: 0o600 });
    await rename(temporary, target);
  }

  async create(name: string, value: string): Promise<boolean> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const target = this.pathOf(name);
    const temporary = `${target}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(temporary, value, { mode: 0o600 });
    try {
      // link() refuses an existing target, so of two concurrent creators exactly one wins, with a whole file.
      await link(temporary, target);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await rm(temporary, { force: true });
    }
  }

  async get(name: string): Promise<string | null> {
    try {
      // A secret is a few hundred bytes on a local disk: read at once. fs/promises' readFile opens, stats, reads
      // and closes in four trips to the thread pool, ten times the CPU, and every workflow step reads the account key.
      return readFileSync(this.pathOf(name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async delete(name: string): Promise<void> {
    await rm(this.pathOf(name), { force: true });
  }

  private pathOf(name: string): string {
    return join(this.directory, `${encodeURIComponent(name)}.secret`);
  }
}
