import type { CertificateEvent } from '../domain/certificate-events.ts';

/** Sends certificate lifecycle events (EventBridge's default bus in AWS, a JSON-lines file locally). */
export interface EventPublisher {
  /** Publishes every event or throws; a partial failure is retried before it throws. */
  publish(events: readonly CertificateEvent[]): Promise<void>;
}
