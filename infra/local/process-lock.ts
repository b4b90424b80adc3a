import { readFileSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';

/** Who runs a stand-in on a data directory: its pid, the stack process that started it, and a mark of its command line. */
interface LockRecord {
  pid: number;
  ownerPid: number;
  marker: string;
}

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Whether `pid` still runs the command the lock recorded (and not a process that got its pid since). */
function runs(pid: number, marker: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    // No /proc (macOS): trust the pid.
    return process.platform !== 'linux';
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/**
 * A pid file for a stand-in that keeps data or ports (DynamoDB Local on .local/dynamodb, Pebble on its fixed ports):
 * a second stack on the same data is refused while the first one's process lives; a stand-in left behind by a
 * stack that died (kill -9, a crash) is stopped, so it cannot serve old data next to the new one.
 */
export class ProcessLock {
  constructor(
    private readonly file: string,
    private readonly what: string,
  ) {}

  /** Refuses while a live stack owns the stand-in; stops an orphan. Then the caller may start its own. */
  async acquire(): Promise<void> {
    const held = await this.read();
    if (!held) return;
    if (runs(held.pid, held.marker)) {
      if (isAlive(held.ownerPid)) {
        throw new Error(
          `${this.what} is already running for this data directory (pid ${held.pid}, started by certwright pid ${held.ownerPid}); ` +
            'stop that stack first, or set CERTWRIGHT_DATA_DIR to another directory',
        );
      }
      // Its stack is gone: the stand-in is an orphan (the stack was killed) and would keep the data or the ports.
      process.kill(held.pid, 'SIGKILL');
      if (!(await waitForExit(held.pid, 10_000))) throw new Error(`${this.what} left by an earlier run (pid ${held.pid}) did not stop`);
    }
    await rm(this.file, { force: true });
  }

  /** Records the stand-in just started; `wx` so that of two stacks starting at once only one gets it. */
  async record(pid: number, marker: string): Promise<void> {
    const handle = await open(this.file, 'wx', 0o600).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') throw new Error(`${this.what}: another stack started at the same time (${this.file})`, { cause: error });
      throw error;
    });
    try {
      await handle.writeFile(JSON.stringify({ pid, ownerPid: process.pid, marker } satisfies LockRecord));
    } finally {
      await handle.close();
    }
  }

  async release(): Promise<void> {
    const held = await this.read();
    if (held && held.ownerPid === process.pid) await rm(this.file, { force: true });
  }

  private async read(): Promise<LockRecord | null> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as Partial<LockRecord>;
      if (typeof parsed.pid !== 'number' || typeof parsed.ownerPid !== 'number' || typeof parsed.marker !== 'string') return null;
      return parsed as LockRecord;
    } catch {
      return null;
    }
  }
}
