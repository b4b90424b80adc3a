import { StateMachine } from 'aws-local-stepfunctions';
import { EXECUTION_STATUS_CHANGE } from '../../shared/adapters/step-functions/execution-status-event.ts';
import type { ExecutionStatusChangeEvent } from '../../shared/adapters/step-functions/execution-status-event.ts';
import type { ExecutionMonitor, ExecutionState } from '../../shared/ports/execution-monitor.ts';
import type { IssuanceExecutionInput, WorkflowStarter } from '../../shared/ports/workflow-starter.ts';
import { ISSUANCE_STEPS, ISSUANCE_TASK_STATES, ISSUANCE_WAIT_STATES, issuanceDefinition } from '../workflow/issuance-definition.ts';
import type { IssuanceStep } from '../workflow/issuance-definition.ts';
import { asFunction, localRunObserver } from './function-context.ts';

type StepHandler = (payload: unknown) => Promise<unknown>;

export interface LocalWorkflowOptions {
  /** How long each Wait state waits locally, in ms (Pebble answers at once; AWS waits seconds). */
  waitMs?: number;
  /** Pause before a Retry, in ms, instead of the definition's backoff. */
  retryMs?: number;
}

/** Locally a task's FunctionName is this prefix and the step's name (as the Lambdas are named in AWS logs). */
export const LOCAL_FUNCTION_PREFIX = 'certwright-';

/** The definition the local stack runs: the deployed one, bound to local function names. */
export const localIssuanceDefinition = () => issuanceDefinition((step) => `${LOCAL_FUNCTION_PREFIX}${step}`);

/** Loads each step's handler the way Lambda does: the module of functions/workflow/<step>.ts. */
async function loadStepHandlers(): Promise<Record<IssuanceStep, StepHandler>> {
  const entries = await Promise.all(
    ISSUANCE_STEPS.map(async (step) => {
      const entry = `functions/workflow/${step}.ts`;
      return [step, asFunction(entry, ((await import(`../../functions/workflow/${step}.ts`)) as { handler: StepHandler }).handler)] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<IssuanceStep, StepHandler>;
}

/** The handler EventBridge invokes in AWS when an execution ends without its own failure path. */
const loadEndedExecutionHandler = async (): Promise<(event: ExecutionStatusChangeEvent) => Promise<unknown>> =>
  asFunction(
    'functions/workflow/execution-ended.ts',
    ((await import('../../functions/workflow/execution-ended.ts')) as { handler: (event: ExecutionStatusChangeEvent) => Promise<unknown> }).handler,
  );

/** How aws-local-stepfunctions ended a run, as Step Functions' execution status and error name. */
function endedStatus(error: unknown): { status: 'TIMED_OUT' | 'ABORTED' | 'FAILED'; error: string | null; cause: string | null } {
  const name = (error as Error).name;
  if (name === 'ExecutionTimeoutError') return { status: 'TIMED_OUT', error: 'States.Timeout', cause: null };
  if (name === 'ExecutionAbortedError') return { status: 'ABORTED', error: null, cause: null };
  const caught = (error as { cause?: Error }).cause;
  return { status: 'FAILED', error: caught?.name ?? name, cause: caught?.message ?? (error as Error).message };
}

/**
 * Step Functions on the local stack: the definition CDK deploys, run in-process by aws-local-stepfunctions with
 * each task state bound to its step's handler. The execution name is the attempt id: starting one twice is a no-op.
 */
export class LocalWorkflowRunner implements WorkflowStarter, ExecutionMonitor {
  private readonly machine = new StateMachine(localIssuanceDefinition() as never);
  private readonly started = new Set<string>();
  private readonly running = new Map<string, { abort: () => void; done: Promise<void> }>();
  private readonly hooks = new Map<string, (payload: unknown) => Promise<void>>();
  /**
   * Task handlers under way. Aborting an execution does not stop the handler it is in (no more than StopExecution
   * stops a running Lambda); stop() lets them finish, so that the process never exits between, say, finalize's key
   * write and its check that the attempt is still on.
   */
  private readonly tasks = new Set<Promise<unknown>>();
  /** Executions given up without a word, as when the process running them dies (see abandon()). */
  private readonly abandoned = new Set<string>();

  private constructor(
    private readonly handlers: Record<IssuanceStep, StepHandler>,
    private readonly executionEnded: (event: ExecutionStatusChangeEvent) => Promise<unknown>,
    private readonly options: Required<LocalWorkflowOptions>,
  ) {}

  static async create(options: LocalWorkflowOptions = {}): Promise<LocalWorkflowRunner> {
    return new LocalWorkflowRunner(await loadStepHandlers(), await loadEndedExecutionHandler(), {
      waitMs: options.waitMs ?? 100,
      retryMs: options.retryMs ?? 200,
    });
  }

  async startIssuance(input: IssuanceExecutionInput): Promise<void> {
    if (this.started.has(input.attemptId)) return;
    this.started.add(input.attemptId);
    const taskResourceLocalHandlers = Object.fromEntries(
      Object.entries(ISSUANCE_TASK_STATES).map(([state, step]) => [
        state,
        // lambda:invoke hands the function {FunctionName, Payload} and returns {Payload}.
        async ({ Payload }: { Payload: unknown }) => {
          await this.hooks.get(state)?.(Payload);
          const invocation = this.handlers[step](Payload);
          this.tasks.add(invocation);
          try {
            return { Payload: await invocation };
          } finally {
            this.tasks.delete(invocation);
          }
        },
      ]),
    );
    const execution = this.machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: taskResourceLocalHandlers as never,
        waitTimeOverrides: Object.fromEntries(ISSUANCE_WAIT_STATES.map((state) => [state, this.options.waitMs])),
        retryIntervalOverrides: Object.fromEntries(Object.keys(ISSUANCE_TASK_STATES).map((state) => [state, this.options.retryMs])),
      },
    });
    const observer = localRunObserver();
    if (observer) {
      // Standard workflows are billed per state transition: every state entered, and every retry.
      void (async () => {
        for await (const event of execution.eventLogs) if (event.type === 'StateEntered' || event.type === 'StateRetried') observer.stateTransition();
      })().catch(() => undefined);
    }
    const done = execution.result.then(
      () => undefined,
      async (error: unknown) => {
        if (this.abandoned.delete(input.attemptId)) return;
        // As EventBridge does in AWS: every execution that did not succeed goes to the ended-execution handler,
        // which records (and cleans up after) those cut off before their own failure path, and leaves the rest.
        const ended = endedStatus(error);
        const event: ExecutionStatusChangeEvent = {
          source: 'aws.states',
          'detail-type': EXECUTION_STATUS_CHANGE,
          detail: { name: input.attemptId, status: ended.status, input: JSON.stringify(input), error: ended.error, cause: ended.cause },
        };
        await this.executionEnded(event).catch(() => undefined);
      },
    );
    this.running.set(input.attemptId, { abort: execution.abort, done });
    void done.finally(() => this.running.delete(input.attemptId));
  }

  /**
   * Runs `hook` before every invocation of a task state (null removes it): a fault-injection seam for tests,
   * such as changing a DNS record after the propagation check and before the CA is told.
   */
  beforeTask(state: keyof typeof ISSUANCE_TASK_STATES, hook: ((payload: unknown) => Promise<void>) | null): void {
    if (hook) this.hooks.set(state, hook);
    else this.hooks.delete(state);
  }

  /** Stops one execution, as StopExecution does in AWS (it ends ABORTED); false when it is not running. */
  abort(attemptId: string): boolean {
    const execution = this.running.get(attemptId);
    execution?.abort();
    return execution !== undefined;
  }

  /**
   * RUNNING while this runner runs it, else NOT_FOUND: an execution that ended here was handed to the
   * ended-execution handler already, and one from before a restart is gone with the process that ran it.
   */
  describe(attemptId: string): Promise<ExecutionState> {
    return Promise.resolve({ status: this.running.has(attemptId) ? 'RUNNING' : 'NOT_FOUND' });
  }

  /**
   * Ends one execution without telling the ended-execution handler, as a crash of the process running it would (or,
   * in AWS, an execution deleted with its events lost): a fault-injection seam for the attempt sweeper's tests.
   */
  abandon(attemptId: string): boolean {
    const execution = this.running.get(attemptId);
    if (!execution) return false;
    this.abandoned.add(attemptId);
    execution.abort();
    return true;
  }

  /** Resolves when no execution is running. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((execution) => execution.done));
  }

  async stop(): Promise<void> {
    for (const execution of this.running.values()) execution.abort();
    await this.idle();
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }
}
