import { describe, expect, it } from 'vitest';
import { lazyPort } from '../../shared/adapters/lazy-port.ts';
import type { SecretStore } from '../../shared/ports/secret-store.ts';

/** A secret store in a Map, counting how often it was built (the adapter a lazy port would import). */
function countingLoader(failures = 0) {
  const state = { builds: 0, attempts: 0 };
  const load = async (): Promise<SecretStore> => {
    state.attempts += 1;
    if (state.attempts <= failures) throw new Error('the chunk could not be loaded');
    state.builds += 1;
    const values = new Map<string, string>();
    return {
      async put(name, value) {
        values.set(name, value);
      },
      async create(name, value) {
        if (values.has(name)) return false;
        values.set(name, value);
        return true;
      },
      async get(name) {
        return values.get(name) ?? null;
      },
      async delete(name) {
        values.delete(name);
      },
    };
  };
  return { state, load };
}

describe('lazyPort', () => {
  it('builds the adapter on the first call, once, and passes every call on to it', async () => {
    const { state, load } = countingLoader();
    const secrets: SecretStore = lazyPort(load, ['put', 'create', 'get', 'delete']);
    expect(state.builds).toBe(0);

    const [created, again] = await Promise.all([secrets.create('a', '1'), secrets.create('a', '2')]);
    await secrets.put('b', '3');
    await secrets.delete('b');

    expect([created, again].sort()).toEqual([false, true]);
    expect(await secrets.get('a')).toMatch(/^[12]$/);
    expect(await secrets.get('b')).toBeNull();
    expect(state.builds).toBe(1);
  });

  it('fails the call whose load fails, and loads again on the next one', async () => {
    const { state, load } = countingLoader(1);
    const secrets: SecretStore = lazyPort(load, ['put', 'create', 'get', 'delete']);

    await expect(secrets.get('a')).rejects.toThrow('the chunk could not be loaded');
    await secrets.put('a', '1');

    expect(await secrets.get('a')).toBe('1');
    expect(state).toEqual({ attempts: 2, builds: 1 });
  });
});
