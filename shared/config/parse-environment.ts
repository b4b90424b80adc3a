/**
 * Reads a function's environment once per cold start. Each reader records a malformed or missing variable instead
 * of throwing, so that `done()` fails the cold start naming every one of them at once. Plain code rather than a
 * schema library: every function parses its configuration, and most of them validate nothing else.
 */
export interface EnvironmentReader {
  /** A non-empty string; `fallback` when unset or empty, else missing. */
  string(name: string, fallback?: string): string;
  optional(name: string): string | undefined;
  url(name: string, fallback: string): string;
  optionalUrl(name: string): string | undefined;
  integer(name: string, options: { fallback: number; min?: number; max?: number }): number;
  oneOf<const T extends string>(name: string, values: readonly T[]): T | undefined;
  /** Throws `Invalid configuration: NAME, NAME` when any variable read was missing or malformed. */
  done(): void;
}

const isUrl = (value: string): boolean => URL.canParse(value);

export function readEnvironment(env: NodeJS.ProcessEnv): EnvironmentReader {
  const invalid: string[] = [];
  const value = (name: string): string | undefined => env[name];
  const reader: EnvironmentReader = {
    string(name, fallback) {
      const raw = value(name);
      if (raw) return raw;
      if (fallback !== undefined) return fallback;
      invalid.push(name);
      return '';
    },
    optional: (name) => value(name),
    url(name, fallback) {
      const raw = value(name);
      if (raw === undefined) return fallback;
      if (!isUrl(raw)) invalid.push(name);
      return raw;
    },
    optionalUrl(name) {
      const raw = value(name);
      if (raw !== undefined && !isUrl(raw)) invalid.push(name);
      return raw;
    },
    integer(name, { fallback, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER }) {
      const raw = value(name);
      if (raw === undefined) return fallback;
      const parsed = raw.trim() === '' ? Number.NaN : Number(raw);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        invalid.push(name);
        return fallback;
      }
      return parsed;
    },
    oneOf(name, values) {
      const raw = value(name);
      if (raw === undefined) return undefined;
      if (!(values as readonly string[]).includes(raw)) invalid.push(name);
      return raw as (typeof values)[number];
    },
    done() {
      if (invalid.length > 0) throw new Error(`Invalid configuration: ${invalid.join(', ')}`);
    },
  };
  return reader;
}

/** Reads a configuration with `read`, then fails naming every missing or malformed variable, if any. */
export function parseEnvironment<T>(env: NodeJS.ProcessEnv, read: (reader: EnvironmentReader) => T): T {
  const reader = readEnvironment(env);
  const config = read(reader);
  reader.done();
  return config;
}
