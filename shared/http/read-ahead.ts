import type { ApiResult } from './api-types.ts';
import type { Operation, OperationContext } from './api-handler.ts';

/** What a read ahead may use: the request, and the organization it will be allowed to act for if the credential holds. */
export interface ReadAheadRequest {
  organizationId: number;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
}

/** An operation's first read, made from the request and an organization alone (see {@link readingAhead}). */
export type ReadAheadFn<D, T = unknown> = (deps: D, request: ReadAheadRequest) => Promise<T>;

/** An operation whose first read starts while the credential is checked; `run` gets that read once the caller is authorized. */
export function readingAhead<D, T>(
  read: ReadAheadFn<D, T>,
  run: (context: OperationContext<D>, read: Promise<T>) => Promise<ApiResult>,
): Operation<D> {
  // Called without a read ahead (a public route, or an organization not known early), it reads first itself.
  const operation = (context: OperationContext<D>) =>
    run(
      context,
      (context.readAhead as Promise<T> | undefined) ??
        read(context.deps, { organizationId: context.principal.organizationId, params: context.params, query: context.query }),
    );
  return Object.assign(operation, { readAhead: read });
}

/**
 * One request's read ahead: the credential's lookup and the operation's first read go to the store together.
 * `start` is what authentication calls once the credential is plausible, just before it is looked up (an anonymous
 * request or a forged JWT makes the API read nothing, a forged API token at most a read beside its own lookup).
 * The organization read for is the path's (the tenant check will require it), else the one the credential claims;
 * with neither, nothing is read ahead and the operation reads for itself. `resultFor` hands the read over only for
 * the organization the caller turned out to act for.
 */
export class ReadAhead<D> {
  private started: { organizationId: number; read: Promise<unknown> } | undefined;

  constructor(
    private readonly read: ReadAheadFn<D> | undefined,
    private readonly deps: D,
    private readonly request: Pick<ReadAheadRequest, 'params' | 'query'>,
  ) {}

  readonly start = (claimed: number | undefined): void => {
    const { params, query } = this.request;
    const organizationId = params.organizationId !== undefined ? Number(params.organizationId) : claimed;
    const read = this.read;
    if (!read || organizationId === undefined || this.started) return;
    const deps = this.deps;
    // Async, so that even a read that fails at once (a bad query parameter) is answered only after the credential.
    this.started = { organizationId, read: (async () => read(deps, { organizationId, params, query }))() };
    // A read left unused (the credential was refused after all) must not end the process as an unhandled rejection.
    this.started.read.catch(() => undefined);
  };

  /** The read, when one was started for this organization. */
  resultFor(organizationId: number): Promise<unknown> | undefined {
    return this.started?.organizationId === organizationId ? this.started.read : undefined;
  }
}
