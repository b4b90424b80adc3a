/** Exit codes: 0 done, 1 the work failed (the API refused, the CA failed, the network), 2 the command was wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** An error the CLI reports as one line, then exits with `exitCode`. Its message never carries a secret. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.failed, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Wrong flags, missing arguments, no login: exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

/** The API answered with an error status; `message` is the API's own reason. */
export class ApiError extends CliError {
  readonly status: number;

  constructor(status: number, reason: string) {
    super(`${reason} (HTTP ${status})`, EXIT.failed);
    this.name = 'ApiError';
    this.status = status;
  }
}
