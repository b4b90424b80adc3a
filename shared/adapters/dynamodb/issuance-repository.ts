import { createHash } from 'node:crypto';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChallengeRecord, IssuanceSettings, ProviderOptions } from '../../domain/acme.ts';
import type { AccountKey, AcmeAccountRecord, IssuanceRepository } from '../../ports/issuance-repository.ts';
import { guard, isConditionFailure, storeFailure } from './errors.ts';
import { keys, stripKeys } from './keys.ts';
import { getItem } from './item-reads.ts';
import { queryAll } from './query-all.ts';

const directoryHash = (directoryUrl: string): string => createHash('sha256').update(directoryUrl).digest('hex').slice(0, 32);

/** The item of an account: the first account's key is the one from before an organization could hold several. */
const accountItemKey = (account: AccountKey) =>
  keys.acmeAccount(account.organizationId, directoryHash(account.directoryUrl) + (account.accountNumber ? `#${account.accountNumber}` : ''));

/** A challenge record outlives a crashed clean-up by at most this long (DynamoDB TTL). */
const CHALLENGE_TTL_SECONDS = 7 * 86_400;

/**
 * Items written before provider options kept a pinned Route 53 zone as `hostedZoneId`: read as the options the
 * Route 53 provider takes, so attempts and records from then are still presented and cleaned up in that zone.
 */
function withProviderOptions<T extends { providerOptions?: ProviderOptions | null | undefined }>(stored: T & { hostedZoneId?: unknown }): T {
  const { hostedZoneId, ...rest } = stored;
  if (typeof hostedZoneId !== 'string' || !hostedZoneId || rest.providerOptions) return rest as T;
  return { ...rest, providerOptions: { hostedZoneId } } as unknown as T;
}

function toChallenge(item: Record<string, unknown>): ChallengeRecord {
  const record = stripKeys(item);
  delete record.ttl;
  return withProviderOptions(record as unknown as ChallengeRecord);
}

export class DynamoIssuanceRepository implements IssuanceRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putSettings(certificateId: string, settings: IssuanceSettings): Promise<void> {
    await guard(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.issuanceSettings(certificateId), entity: 'issuanceSettings', settings },
        }),
      ),
    );
  }

  async getSettings(certificateId: string): Promise<IssuanceSettings | null> {
    // Through the shared item reader: read beside the certificate (the first issuance step does), both are one request.
    const item = await getItem(this.client, this.tableName, keys.issuanceSettings(certificateId));
    const settings = item?.settings as IssuanceSettings | undefined;
    return settings ? withProviderOptions(settings) : null;
  }

  async getAccount(account: AccountKey): Promise<AcmeAccountRecord | null> {
    const item = await getItem(this.client, this.tableName, accountItemKey(account));
    return item ? (stripKeys(item) as unknown as AcmeAccountRecord) : null;
  }

  async setAccountUrl(account: AccountKey, accountUrl: string): Promise<void> {
    await guard(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: accountItemKey(account),
          UpdateExpression: 'SET accountUrl = :url',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':url': accountUrl },
        }),
      ),
    );
  }

  async putAccountIfAbsent(account: AcmeAccountRecord): Promise<AcmeAccountRecord> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...accountItemKey(account), entity: 'acmeAccount', ...account },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return account;
    } catch (error) {
      if (!isConditionFailure(error)) throw storeFailure(error);
      const existing = await this.getAccount(account);
      if (!existing) throw storeFailure(error);
      return existing;
    }
  }

  async putChallenge(record: ChallengeRecord): Promise<void> {
    const ttl = Math.floor(Date.parse(record.createdAt) / 1000) + CHALLENGE_TTL_SECONDS;
    await guard(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.challenge(record.token),
            gsi1pk: keys.challengesOfAttempt(record.attemptId),
            gsi1sk: record.token,
            entity: 'challenge',
            ttl,
            ...record,
          },
        }),
      ),
    );
  }

  async getChallenge(token: string): Promise<ChallengeRecord | null> {
    const item = await getItem(this.client, this.tableName, keys.challenge(token));
    return item ? toChallenge(item) : null;
  }

  async challengesOfAttempt(attemptId: string): Promise<ChallengeRecord[]> {
    return (await queryAll(this.client, this.tableName, keys.challengesOfAttempt(attemptId))).map(toChallenge);
  }

  async deleteChallenge(token: string): Promise<void> {
    await guard(this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.challenge(token) })));
  }
}
