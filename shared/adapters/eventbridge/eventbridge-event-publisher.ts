import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE } from '../../domain/certificate-events.ts';
import type { CertificateEvent } from '../../domain/certificate-events.ts';
import { CertwrightError } from '../../domain/errors.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';

/** PutEvents takes at most 10 entries per call. */
const BATCH = 10;
const ATTEMPTS = 3;

/** Certificate events on the account's default event bus, where rules (and ACM-style consumers) find them. */
export class EventBridgeEventPublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string = 'default',
  ) {}

  async publish(events: readonly CertificateEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += BATCH) {
      await this.putBatch(events.slice(start, start + BATCH).map((event) => this.entry(event)));
    }
  }

  private entry(event: CertificateEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.eventBusName,
      Source: EVENT_SOURCE,
      DetailType: event.detailType,
      Time: event.time,
      Resources: [],
      Detail: JSON.stringify(event.detail),
    };
  }

  /** PutEvents can accept some entries and refuse others (throttling): only the refused ones are sent again. */
  private async putBatch(entries: PutEventsRequestEntry[]): Promise<void> {
    let pending = entries;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      let failed: PutEventsRequestEntry[];
      try {
        const result = await this.client.send(new PutEventsCommand({ Entries: pending }));
        failed = (result.FailedEntryCount ?? 0) > 0 ? pending.filter((_, index) => result.Entries?.[index]?.ErrorCode) : [];
      } catch (error) {
        if (attempt === ATTEMPTS) throw new CertwrightError('dependency_unavailable', 'EventBridge did not take the events', { cause: error, retryable: true });
        failed = pending;
      }
      if (failed.length === 0) return;
      pending = failed;
    }
    throw new CertwrightError('dependency_unavailable', `EventBridge refused ${pending.length} events`, { retryable: true });
  }
}
