import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeEventPublisher } from '../../shared/adapters/eventbridge/eventbridge-event-publisher.ts';
import { certificateEvent } from '../../shared/domain/certificate-events.ts';

const eventBridge = mockClient(EventBridgeClient);
const now = new Date('2026-03-01T00:00:00Z');
const certificate = (index: number) => ({
  id: `cert-${index}`,
  organizationId: 42,
  domainName: `site${index}.example.com`,
  notAfter: '2026-03-21T00:00:00.000Z',
  // Fields an event must never carry, whatever the caller hands in.
  certificateData: '-----BEGIN CERTIFICATE-----',
  privateKeySecretName: 'certwright/certificates/cert/private-key',
});

beforeEach(() => eventBridge.reset());

describe('EventBridgeEventPublisher', () => {
  it('puts ACM-style events on the default bus: source certwright, the detail-type, ids, domain and days to expiry', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    await new EventBridgeEventPublisher(new EventBridgeClient({})).publish([certificateEvent('Certificate Approaching Expiration', certificate(1), now)]);

    const [call] = eventBridge.commandCalls(PutEventsCommand);
    const entry = call?.args[0].input.Entries?.[0];
    expect(entry).toMatchObject({ EventBusName: 'default', Source: 'certwright', DetailType: 'Certificate Approaching Expiration', Time: now });
    expect(JSON.parse(entry?.Detail ?? '{}')).toEqual({
      organizationId: 42,
      certificateId: 'cert-1',
      domainName: 'site1.example.com',
      daysToExpiry: 20,
      notAfter: '2026-03-21T00:00:00.000Z',
    });
    expect(entry?.Detail).not.toMatch(/BEGIN|private-key/);
  });

  it('sends at most 10 entries per call', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
    const events = Array.from({ length: 23 }, (_, index) => certificateEvent('Certificate Renewed', certificate(index), now));
    await new EventBridgeEventPublisher(new EventBridgeClient({})).publish(events);
    expect(eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
  });

  it('sends again only the entries EventBridge refused', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: '1' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: '2' }] });
    const events = [certificateEvent('Certificate Issued', certificate(1), now), certificateEvent('Certificate Issued', certificate(2), now)];
    await new EventBridgeEventPublisher(new EventBridgeClient({})).publish(events);
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    expect(JSON.parse(calls[1]?.args[0].input.Entries?.[0]?.Detail ?? '{}').certificateId).toBe('cert-2');
  });

  it('fails with a retryable error when EventBridge keeps refusing', async () => {
    eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const failure = await new EventBridgeEventPublisher(new EventBridgeClient({}))
      .publish([certificateEvent('Certificate Revoked', certificate(1), now)])
      .catch((error) => error);
    expect(failure).toMatchObject({ code: 'dependency_unavailable', retryable: true });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(3);
  });
});
