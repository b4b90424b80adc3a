/**
 * Facts that never change (a certificate's creation time, an API token's organization), remembered by this process
 * for the latest `capacity` keys, so that a later request may skip or start early a read that would only tell it
 * them again. Never used for anything that can change, such as whether a token is still valid.
 */
export class RecentFacts<V> {
  private readonly facts = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    return this.facts.get(key);
  }

  remember(key: string, value: V): void {
    this.facts.delete(key);
    this.facts.set(key, value);
    // Map keeps insertion order: the first keys are the least recently remembered.
    for (const oldest of this.facts.keys()) {
      if (this.facts.size <= this.capacity) break;
      this.facts.delete(oldest);
    }
  }
}
