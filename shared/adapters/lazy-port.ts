/** The names of T's methods that return a promise: the ones a lazy port can stand in for. */
export type AsyncMethodOf<T> = {
  [K in keyof T]-?: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T];

/**
 * A port whose adapter is built on first use: `load` runs (once; again after a failure) when one of `methods` is first
 * called, and every call is passed on to what it built. With `load` importing the adapter (and its SDK) by `import()`,
 * the Lambda bundles keep them in a chunk of their own that a cold start does not read; a function that never takes
 * that path never loads it. The result has exactly the methods named, so tsc fails where a port gains one.
 */
export function lazyPort<T extends object, K extends AsyncMethodOf<T>>(load: () => Promise<T>, methods: readonly K[]): Pick<T, K> {
  let loading: Promise<T> | undefined;
  const loaded = (): Promise<T> => {
    if (!loading) {
      loading = load();
      // A failed load (secret store down, a chunk missing) is tried again on the next call.
      loading.catch(() => (loading = undefined));
    }
    return loading;
  };
  const port: Partial<Record<K, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const method of methods) {
    port[method] = async (...args: unknown[]) => {
      const target = await loaded();
      return (target[method] as (...args: unknown[]) => Promise<unknown>).apply(target, args);
    };
  }
  return port as Pick<T, K>;
}
