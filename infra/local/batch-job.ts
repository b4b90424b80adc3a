import { spawnSync } from 'node:child_process';

let chrtWorks: boolean | undefined;

/**
 * The command line that runs a local stand-in for a remote service (DynamoDB Local, Pebble) as a batch job
 * (SCHED_BATCH, through util-linux's chrt where it works; as it is elsewhere, e.g. on macOS). A request then wakes the
 * stand-in without preempting, on its own CPU, the Node process that sent it: otherwise, on a two-core machine, each
 * DynamoDB Local call held the caller's core for the 1-2 ms the JVM spent on it (measured: a write to its socket
 * took 1.8 ms of the caller's time, 0.2 ms as a batch job), as if the handlers and the service shared one core.
 */
export function asBatchJob(command: string, args: readonly string[]): [string, string[]] {
  chrtWorks ??= spawnSync('chrt', ['-b', '0', 'true']).status === 0;
  return chrtWorks ? ['chrt', ['-b', '0', command, ...args]] : [command, [...args]];
}
