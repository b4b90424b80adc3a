import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import type { ApiClient } from './api-client.ts';
import type { CertificateResource } from './certificate-resource.ts';
import { namesOf } from './certificate-resource.ts';
import type { NameProgress } from './certificate-resource.ts';
import { ApiError, CliError, EXIT } from './errors.ts';
import type { Io, Output } from './io.ts';
import { writeLine } from './io.ts';

/**
 * Where one name of an attempt stands: waiting for the order, then the six stages of the certificate's progress
 * fields (`lastAttempt.progress`), or how it ended otherwise.
 */
export type Stage =
  | 'requested'
  | 'ordered'
  | 'challengePresented'
  | 'propagated'
  | 'validated'
  | 'finalized'
  | 'stored'
  | 'failed'
  | 'stopped';

const LABELS: Record<Stage, string> = {
  requested: 'waiting for the workflow to place the order',
  ordered: 'order placed at the CA',
  challengePresented: 'challenge presented',
  propagated: 'challenge propagated; the CA is validating it',
  validated: 'validated by the CA',
  finalized: 'certificate issued by the CA; storing it',
  stored: 'issued and stored',
  failed: 'failed',
  stopped: 'not reached',
};

export const stageLabel = (stage: Stage): string => LABELS[stage];

/** The progress fields, in the order an attempt passes them. */
const PROGRESS_FIELDS: readonly [Exclude<Stage, 'requested' | 'failed' | 'stopped'>, keyof Omit<NameProgress, 'name'>][] = [
  ['ordered', 'orderedAt'],
  ['challengePresented', 'challengePresentedAt'],
  ['propagated', 'propagatedAt'],
  ['validated', 'validatedAt'],
  ['finalized', 'finalizedAt'],
  ['stored', 'storedAt'],
];

/**
 * Each name's stages in the certificate's current attempt, in the order it passed them (a stage passed between two
 * polls is there too): from the progress fields, or from the attempt's status and the SANs' dnsStatus where the API
 * has none. A failure ends the names it concerns; a rejected challenge fails only its own name.
 */
export function stagesOf(certificate: CertificateResource): Map<string, Stage[]> {
  const attempt = certificate.lastAttempt;
  const stages = new Map<string, Stage[]>();
  const sans = certificate.sans.length > 0 ? certificate.sans : [{ name: certificate.domainName, dnsStatus: 'pending' as const }];
  const anyInvalid = sans.some((san) => san.dnsStatus === 'invalid');
  for (const san of sans) {
    const passed: Stage[] = ['requested'];
    const progress = attempt?.progress?.find((entry) => entry.name === san.name);
    if (progress) {
      for (const [stage, field] of PROGRESS_FIELDS) if (progress[field]) passed.push(stage);
    } else if (attempt && attempt.status !== 'pending') {
      passed.push('ordered');
      if (san.dnsStatus === 'valid') passed.push('validated');
    }
    if (attempt?.status === 'succeeded' && passed.at(-1) !== 'stored') passed.push('stored');
    if (attempt?.status === 'failed') {
      // A failure after validation (finalize, download) fails every name; a rejected challenge only its own.
      if (!anyInvalid || san.dnsStatus === 'invalid') passed.push('failed');
      else if (san.dnsStatus !== 'valid') passed.push('stopped');
    }
    stages.set(san.name, passed);
  }
  return stages;
}

/** Renders stage changes; `close` ends the view (the live one stops redrawing). */
interface ProgressView {
  update(stages: Map<string, Stage[]>): void;
  close(): Promise<void>;
}

/** A non-terminal (a pipe, a CI log): one plain line per stage a name passes, in order, each once. */
function plainView(out: Output): ProgressView {
  const shown = new Map<string, number>();
  return {
    update(stages) {
      for (const [name, passed] of stages) {
        for (const stage of passed.slice(shown.get(name) ?? 0)) writeLine(out, `${name}: ${stageLabel(stage)}`);
        shown.set(name, Math.max(shown.get(name) ?? 0, passed.length));
      }
    },
    close: async () => undefined,
  };
}

/** What the view uses of a listr2 task. */
interface TaskHandle {
  title: string | undefined;
  skip(message?: string): void;
}

type Tracker = { task?: TaskHandle; stage?: Stage; settle?: (error?: Error) => void };

/** A terminal: listr2's live view, one line per name with a spinner, ticked or crossed when it ends. */
function liveView(out: Output, err: Output, names: string[]): ProgressView {
  const trackers = new Map<string, Tracker>(names.map((name) => [name, {}]));
  let closing = false;
  // Shows the tracker's stage on its task, ending the task once the name is done, failed, or (Ctrl-C) no longer
  // followed; a task listr2 has not started yet applies its stage when it starts.
  const apply = (name: string, tracker: Tracker) => {
    const { task, stage = 'requested' } = tracker;
    if (!task) return;
    task.title = `${name}: ${stageLabel(stage)}`;
    if (stage === 'stored') tracker.settle?.();
    else if (stage === 'failed') tracker.settle?.(new Error(`${name}: ${stageLabel(stage)}`));
    else if (stage === 'stopped' || closing) {
      task.skip(`${name}: ${stageLabel(stage)}${stage === 'stopped' ? '' : ' (goes on at the API)'}`);
      tracker.settle?.();
    }
  };
  const list = new Listr(
    names.map((name) => ({
      title: `${name}: ${stageLabel('requested')}`,
      task: (_context, task) =>
        new Promise<void>((resolve, reject) => {
          const tracker = trackers.get(name) ?? {};
          tracker.task = task;
          tracker.settle = (error) => (error ? reject(error) : resolve());
          apply(name, tracker);
        }),
    })),
    {
      concurrent: true,
      exitOnError: false,
      // Ctrl-C is the follower's to handle: listr2's own listener would end the process.
      registerSignalListeners: false,
      renderer: 'default',
      rendererOptions: {
        logger: new ListrLogger({ useIcons: true, processOutput: new ProcessOutput(out as NodeJS.WriteStream, err as NodeJS.WriteStream) }),
      },
    },
  );
  const running = list.run().catch(() => undefined);
  return {
    update(stages) {
      for (const [name, passed] of stages) {
        const stage = passed.at(-1) ?? 'requested';
        const tracker = trackers.get(name);
        if (!tracker || tracker.stage === stage) continue;
        tracker.stage = stage;
        apply(name, tracker);
      }
    },
    async close() {
      closing = true;
      for (const [name, tracker] of trackers) apply(name, tracker);
      await running;
    },
  };
}

/** Polls in a row that may fail (network, 5xx) before following gives up; the attempt goes on regardless. */
const MAX_FAILED_POLLS = 5;

export interface FollowOptions {
  certificate: CertificateResource;
  /** Progress goes here: stdout normally, stderr when stdout carries --json. */
  out: Output;
  /** The command that resumes following, named when Ctrl-C stops this one. */
  resumeHint: string;
}

/**
 * Follows the certificate's current attempt until it ends, showing each name's progress, and returns the
 * certificate as it ended. A failed attempt throws with the CA's reason; Ctrl-C stops following (the attempt goes
 * on at the API) and throws with how to follow it again.
 */
export async function followAttempt(client: ApiClient, io: Io, options: FollowOptions): Promise<CertificateResource> {
  const attemptId = options.certificate.lastAttempt?.id;
  if (!attemptId) throw new CliError(`certificate ${options.certificate.id} has no attempt to follow`);
  // listr2 draws on the process's own stdout when that is a terminal; anything else (a pipe, stderr beside --json
  // output, a test's stream) gets plain lines.
  const live = options.out.isTTY === true && options.out === process.stdout;
  const view = live ? liveView(options.out, io.stderr, namesOf(options.certificate)) : plainView(options.out);
  let interrupted = false;
  let wake: () => void = () => undefined;
  const unregister = io.onInterrupt(() => {
    interrupted = true;
    wake();
  });
  const path = `${client.certificates}/${options.certificate.id}`;
  let current = options.certificate;
  let failedPolls = 0;
  try {
    for (;;) {
      if (current.lastAttempt?.id !== attemptId) {
        throw new CliError(
          `another attempt (${current.lastAttempt?.type ?? 'none'}) took over certificate ${current.id}; see certwright certs get ${current.id}`,
        );
      }
      view.update(stagesOf(current));
      if (current.lastAttempt.status === 'succeeded' || current.lastAttempt.status === 'failed' || interrupted) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, io.pollIntervalMs ?? 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (interrupted) break;
      let reply;
      try {
        reply = await client.request<CertificateResource>('GET', path, { accept: [404] });
      } catch (error) {
        // An issuance outlives a network blip or a 5xx: only a run of them ends the following.
        failedPolls += 1;
        if (error instanceof ApiError && error.status < 500) throw error;
        if (failedPolls >= MAX_FAILED_POLLS) {
          throw new CliError(`${(error as Error).message}; the attempt goes on at the API, follow it again with: ${options.resumeHint}`);
        }
        continue;
      }
      failedPolls = 0;
      if (reply.status === 404) throw new CliError(`certificate ${current.id} was deleted while it was being issued`);
      current = reply.body;
    }
  } finally {
    unregister();
    await view.close();
  }
  if (interrupted) {
    throw new CliError(
      `stopped following; the ${current.lastAttempt?.type === 'acme_renew' ? 'renewal' : 'issuance'} of ${current.id} goes on at the API. ` +
        `Follow it again with: ${options.resumeHint}`,
      EXIT.interrupted,
    );
  }
  return current;
}

/** Why an attempt failed, with a hint at what to do, for the error line. */
export function failureOf(certificate: CertificateResource): CliError {
  const attempt = certificate.lastAttempt;
  const what = attempt?.type === 'acme_renew' ? 'renewal' : 'issuance';
  const reason = attempt?.error ?? 'the CA gave no reason';
  const hint =
    attempt?.type === 'acme_renew'
      ? `fix the cause, then certwright renew ${certificate.id} --wait`
      : certificate.autoRenew
        ? `fix the cause; it is tried again by itself (certwright certs get ${certificate.id}), or delete it and obtain again`
        : `fix the cause, then delete it (certwright certs delete ${certificate.id}) and obtain again`;
  return new CliError(`${what} of ${namesOf(certificate).join(', ')} failed: ${reason.replace(/\s*\n\s*/g, '; ')}. Hint: ${hint}`);
}
