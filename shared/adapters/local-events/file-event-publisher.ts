import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EVENT_SOURCE } from '../../domain/certificate-events.ts';
import type { CertificateEvent } from '../../domain/certificate-events.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';

/** The local stack's event bus: one JSON line per event, shaped like an EventBridge event, appended to a file. */
export class FileEventPublisher implements EventPublisher {
  constructor(private readonly path: string) {}

  async publish(events: readonly CertificateEvent[]): Promise<void> {
    if (events.length === 0) return;
    await mkdir(dirname(this.path), { recursive: true });
    const lines = events.map((event) =>
      JSON.stringify({ source: EVENT_SOURCE, 'detail-type': event.detailType, time: event.time.toISOString(), detail: event.detail }),
    );
    await appendFile(this.path, lines.join('\n') + '\n', { mode: 0o600 });
  }
}
