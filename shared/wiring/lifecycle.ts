import { lazyPort } from '../adapters/lazy-port.ts';
import { FileEventPublisher } from '../adapters/local-events/file-event-publisher.ts';
import { EmfLifecycleMetrics } from '../adapters/powertools/emf-lifecycle-metrics.ts';
import type { EventsConfig } from '../config/renewal-config.ts';
import type { EventPublisher } from '../ports/event-publisher.ts';
import type { LifecycleDeps } from '../use-cases/announce-outcome.ts';

/**
 * EventBridge in AWS (its client loaded when the first event is published: most functions announce only on some paths,
 * a revocation, a failed renewal), a JSON-lines file when `eventsFile` is set (local stack).
 */
export const eventPublisherFor = (config: Pick<EventsConfig, 'eventsFile'>): EventPublisher =>
  config.eventsFile
    ? new FileEventPublisher(config.eventsFile)
    : lazyPort(async () => (await import('./eventbridge.ts')).eventBridgePublisher(), ['publish']);

/**
 * Lifecycle announcements (issued, renewed, renewal failed, revoked). Off on a local stack without an events file
 * (the tests), so nothing there reaches for AWS credentials.
 */
export const lifecycleFor = (config: EventsConfig): LifecycleDeps | undefined =>
  config.local && !config.eventsFile ? undefined : { events: eventPublisherFor(config), metrics: new EmfLifecycleMetrics(config.stage) };
