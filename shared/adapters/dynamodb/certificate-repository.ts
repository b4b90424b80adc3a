import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Certificate } from '../../domain/certificate.ts';
import { CertwrightError, ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { AttemptProgress } from '../../domain/attempt-progress.ts';
import type {
  CertificatePage,
  CertificateRepository,
  CursorPage,
  CursorPageRequest,
  ProgressChange,
  SanDnsStatusChange,
} from '../../ports/certificate-repository.ts';
import { guard, isConditionFailure, putVersioned, storeFailure } from './errors.ts';
import { keys, stripKeys } from './keys.ts';
import { inFlightIndexAttributes } from './attempts-in-flight-index.ts';
import { renewalIndexAttributes } from './renewal-index.ts';
import { batchGetAll, getItem } from './item-reads.ts';
import { retryWithBackoff } from '../retry-with-backoff.ts';

type Key = Record<string, unknown>;

function toItem(certificate: Certificate): Record<string, unknown> {
  return {
    ...keys.certificate(certificate.id),
    gsi1pk: keys.certificatesOf(certificate.organizationId),
    gsi1sk: keys.byCreation(certificate.createdAt, certificate.id),
    entity: 'certificate',
    ...certificate,
    ...renewalIndexAttributes(certificate),
    ...inFlightIndexAttributes(certificate),
  };
}

const fromItem = (item: Record<string, unknown>): Certificate => stripKeys(item) as unknown as Certificate;

/**
 * `SET lastAttempt.progress.<stage> = ...` for each stage given, with its names and values; the expression names
 * `#attempt` (lastAttempt) and `#progress` are the caller's to declare.
 */
function progressSets(progress: Partial<AttemptProgress>): { sets: string[]; names: Record<string, string>; values: Record<string, unknown> } {
  const stages = Object.entries(progress).filter(([, value]) => value !== undefined);
  return {
    sets: stages.map((_, index) => `#attempt.#progress.#stage${index} = :stage${index}`),
    names: Object.fromEntries(stages.map(([stage], index) => [`#stage${index}`, stage])),
    values: Object.fromEntries(stages.map(([, value], index) => [`:stage${index}`, value])),
  };
}

export interface CertificateRepositoryOptions {
  /** Most certificates one organization may store; checked in the same transaction that stores a new one. */
  certificateQuota?: number;
}

export const DEFAULT_CERTIFICATE_QUOTA = 1000;
const CREATE_ATTEMPTS = 10;

/** Which items of a cancelled transaction failed their condition, by position. */
const failedConditions = (error: unknown): boolean[] =>
  ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map(
    (reason) => reason.Code === 'ConditionalCheckFailed',
  );

/** A number attribute as a transaction cancellation returns it (AttributeValue form). */
const unmarshallNumber = (value: unknown): number => Number((value as { N?: string } | undefined)?.N);

/** Whether a transaction was cancelled only because another one held the same items; trying again may succeed. */
const conflicted = (error: unknown): boolean =>
  !failedConditions(error).some(Boolean) &&
  ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).some(
    (reason) => reason.Code === 'TransactionConflict',
  );

export class DynamoCertificateRepository implements CertificateRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: CertificateRepositoryOptions = {},
  ) {}

  async create(certificate: Certificate): Promise<void> {
    // Concurrent uploads to one organization contend for its counter item: a transaction conflict is retried, not a
    // 409, with a jittered wait that grows, so a burst of uploads sorts itself out (about 2.5 s at most in all).
    return retryWithBackoff(() => this.createOnce(certificate), {
      maxAttempts: CREATE_ATTEMPTS,
      baseDelayMs: 40,
      maxDelayMs: 500,
      retryable: (error) => error instanceof ConflictError && error.retryable,
    });
  }

  private async createOnce(certificate: Certificate): Promise<void> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: toItem(certificate), ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.organization(certificate.organizationId),
                UpdateExpression: 'ADD certificateCount :one',
                // The quota is checked here, in the write itself, so concurrent uploads cannot overshoot it.
                ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(certificateCount) OR certificateCount < :quota)',
                ExpressionAttributeValues: { ':one': 1, ':quota': this.quota },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (isConditionFailure(error) && failedConditions(error)[1]) {
        throw new CertwrightError(
          'quota_exceeded',
          `This organization has reached its limit of ${this.quota} certificates; delete certificates it no longer needs before uploading more.`,
          { cause: error },
        );
      }
      if (conflicted(error)) throw new ConflictError('Another write to the organization came first', { cause: error, retryable: true });
      if (isConditionFailure(error)) throw new ConflictError('The certificate could not be stored', { cause: error });
      throw storeFailure(error);
    }
  }

  private get quota(): number {
    return this.options.certificateQuota ?? DEFAULT_CERTIFICATE_QUOTA;
  }

  async listByCursor(organizationId: number, page: CursorPageRequest): Promise<CursorPage> {
    const partition = keys.certificatesOf(organizationId);
    // The index key of the `after` certificate: the Query resumes right behind it, in either direction.
    let startKey: Key | undefined = page.after
      ? { ...keys.certificate(page.after.id), gsi1pk: partition, gsi1sk: keys.byCreation(page.after.createdAt, page.after.id) }
      : undefined;
    const items: Certificate[] = [];
    // One item more than asked for tells whether another page follows; a 1 MB response cap may need a second call.
    do {
      const result = await guard(
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :partition',
            ExpressionAttributeValues: { ':partition': partition },
            ScanIndexForward: page.order === 'asc',
            Limit: page.limit + 1 - items.length,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      items.push(...(result.Items ?? []).map(fromItem));
      startKey = result.LastEvaluatedKey;
    } while (startKey && items.length <= page.limit);
    return { items: items.slice(0, page.limit), hasMore: items.length > page.limit };
  }

  async delete(organizationId: number, id: string, expectedVersion: number): Promise<void> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: keys.certificate(id),
                // The version read by the caller: its key secret is the one deleted after this record.
                ConditionExpression: 'attribute_exists(pk) AND organizationId = :organization AND version = :version',
                ExpressionAttributeValues: { ':organization': organizationId, ':version': expectedVersion },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              // Refused while any activation switch is on; the count goes with the certificate otherwise.
              Delete: {
                TableName: this.tableName,
                Key: keys.certificateActivationCount(id),
                ConditionExpression: 'attribute_not_exists(pk) OR activeCount = :zero',
                ExpressionAttributeValues: { ':zero': 0 },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.organization(organizationId),
                UpdateExpression: 'ADD certificateCount :minusOne',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':minusOne': -1 },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw storeFailure(error);
      const [recordCondition, active] = failedConditions(error);
      if (recordCondition) {
        const current = (error as { CancellationReasons?: { Item?: Record<string, unknown> }[] }).CancellationReasons?.[0]?.Item;
        if (!current || unmarshallNumber(current.organizationId) !== organizationId) throw new NotFoundError('Certificate');
        throw new ConflictError('Another request changed the certificate at the same time; try again', { cause: error, retryable: true });
      }
      if (active) {
        throw new ConflictError(
          'The certificate is active for the organization or a project; deactivate it everywhere before deleting it',
          {
            cause: error,
          },
        );
      }
      throw new ConflictError('Another request changed the certificate at the same time; try again', { cause: error, retryable: true });
    }
  }

  async get(organizationId: number, id: string): Promise<Certificate | null> {
    const item = await getItem(this.client, this.tableName, keys.certificate(id));
    return item && item.organizationId === organizationId ? fromItem(item) : null;
  }

  async listPage(organizationId: number, offset: number, limit: number): Promise<CertificatePage> {
    const totalItems = await this.countOf(organizationId);
    const take = Math.min(limit, totalItems - offset);
    if (take <= 0) return { items: [], totalItems };
    // Walk the keys-only index from whichever end is nearer, so the first and the last page are both cheap.
    const fromFront = offset <= totalItems - offset - take;
    const skip = fromFront ? offset : totalItems - offset - take;
    const pageKeys = await this.readKeys(keys.certificatesOf(organizationId), fromFront, skip, take);
    if (!fromFront) pageKeys.reverse();
    return { items: await this.batchGet(pageKeys), totalItems };
  }

  async update(certificate: Certificate, expectedVersion: number): Promise<Certificate> {
    const next: Certificate = { ...certificate, version: expectedVersion + 1 };
    await putVersioned(this.client, this.tableName, toItem(next), {
      organizationId: certificate.organizationId,
      version: expectedVersion,
      what: 'Certificate',
    });
    return next;
  }

  async setSanDnsStatuses(organizationId: number, id: string, change: SanDnsStatusChange): Promise<boolean> {
    // Expressions are limited to 4 KB; a certificate names at most 100 SANs, which fits.
    if (change.sanNames.length === 0 || change.sanNames.length > 100 || change.dnsStatuses.length !== change.sanNames.length) return false;
    const values: Record<string, unknown> = {
      ':organization': organizationId,
      ':attempt': change.attemptId,
      ':count': change.sanNames.length,
      ':one': 1,
      ':now': change.updatedAt,
    };
    // Every SAN is checked by name at its position, so a status can only land on the SAN it was meant for.
    const conditions = ['attribute_exists(pk)', '#organization = :organization', '#attempt.#id = :attempt', 'size(#sans) = :count'];
    // dnsStatus feeds neither the renewal nor the expiry index, so their attributes stay as they are.
    const sets = ['#version = #version + :one', '#updated = :now'];
    const progress = progressSets(change.progress ?? {});
    if (progress.sets.length > 0) conditions.push('attribute_exists(#attempt.#progress)');
    change.sanNames.forEach((name, index) => {
      values[`:name${index}`] = name;
      conditions.push(`#sans[${index}].#name = :name${index}`);
      const status = change.dnsStatuses[index];
      if (status) {
        values[`:status${index}`] = status;
        sets.push(`#sans[${index}].#dns = :status${index}`);
      }
    });
    const hasDnsSets = sets.length > 2;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.certificate(id),
          UpdateExpression: `SET ${[...sets, ...progress.sets].join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: {
            '#organization': 'organizationId',
            '#attempt': 'lastAttempt',
            '#id': 'id',
            '#sans': 'sans',
            '#name': 'name',
            ...(hasDnsSets ? { '#dns': 'dnsStatus' } : {}),
            '#version': 'version',
            '#updated': 'updatedAt',
            ...(progress.sets.length > 0 ? { '#progress': 'progress', ...progress.names } : {}),
          },
          ExpressionAttributeValues: { ...values, ...progress.values },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw storeFailure(error);
    }
  }

  async recordProgress(organizationId: number, id: string, change: ProgressChange): Promise<boolean> {
    const progress = progressSets(change.progress);
    if (progress.sets.length === 0) return true;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.certificate(id),
          // Progress feeds no index; the version goes up so that an ETag names what the resource shows.
          UpdateExpression: `SET #version = #version + :one, #updated = :now, ${progress.sets.join(', ')}`,
          ConditionExpression:
            'attribute_exists(pk) AND #organization = :organization AND #attempt.#id = :attempt AND attribute_exists(#attempt.#progress)',
          ExpressionAttributeNames: {
            '#organization': 'organizationId',
            '#attempt': 'lastAttempt',
            '#id': 'id',
            '#progress': 'progress',
            '#version': 'version',
            '#updated': 'updatedAt',
            ...progress.names,
          },
          ExpressionAttributeValues: {
            ':organization': organizationId,
            ':attempt': change.attemptId,
            ':one': 1,
            ':now': change.updatedAt,
            ...progress.values,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw storeFailure(error);
    }
  }

  async getMany(organizationId: number, ids: readonly string[]): Promise<Certificate[]> {
    // batchGetAll splits the keys into BatchGetItem's 100 per call.
    const found = await this.batchGet([...new Set(ids)].map((id) => keys.certificate(id)));
    return found.filter((certificate) => certificate.organizationId === organizationId);
  }

  private async countOf(organizationId: number): Promise<number> {
    const { Item } = await guard(
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: keys.organization(organizationId), ProjectionExpression: 'certificateCount' }),
      ),
    );
    return Number(Item?.certificateCount ?? 0);
  }

  private async readKeys(partition: string, forward: boolean, skip: number, take: number): Promise<Key[]> {
    const collected: Key[] = [];
    let startKey: Key | undefined;
    do {
      const page = await guard(
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'gsi1-keys',
            KeyConditionExpression: 'gsi1pk = :partition',
            ExpressionAttributeValues: { ':partition': partition },
            ScanIndexForward: forward,
            Limit: skip + take - collected.length,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      collected.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey && collected.length < skip + take);
    return collected.slice(skip, skip + take).map((item) => ({ pk: item.pk, sk: item.sk }));
  }

  private async batchGet(itemKeys: Key[]): Promise<Certificate[]> {
    const items = await batchGetAll(this.client, this.tableName, itemKeys);
    const found = new Map(items.map((item) => [String(item.pk), fromItem(item)]));
    return itemKeys.flatMap((key) => found.get(String(key.pk)) ?? []);
  }
}
