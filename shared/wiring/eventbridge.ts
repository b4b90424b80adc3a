import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgeEventPublisher } from '../adapters/eventbridge/eventbridge-event-publisher.ts';
import type { EventPublisher } from '../ports/event-publisher.ts';

/** EventBridge's default bus. A module of its own, so that a function loads it when it first announces something. */
export const eventBridgePublisher = (): EventPublisher => new EventBridgeEventPublisher(new EventBridgeClient({}));
