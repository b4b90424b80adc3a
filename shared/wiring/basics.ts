import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import { systemClock } from '../domain/clock.ts';

/** The clock and the randomness every composition root hands its use cases; tests and benches pass their own. */
export interface Ambient {
  clock: Clock;
  newId: () => string;
  random: () => number;
}

export const systemAmbient: Ambient = { clock: systemClock, newId: randomUUID, random: Math.random };
