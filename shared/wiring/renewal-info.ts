import { AriClient } from '../adapters/ari/ari-client.ts';
import type { Clock } from '../domain/clock.ts';
import type { RenewalInfoClient } from '../ports/renewal-info.ts';

/** ARI (RFC 9773) advice on when to renew; a CA without it (Pebble) leaves the lifetime rule in charge. */
export const renewalInfoFor = (clock: Clock): RenewalInfoClient => new AriClient({ clock, timeoutMs: 5_000 });
