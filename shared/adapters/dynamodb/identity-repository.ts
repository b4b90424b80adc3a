import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.ts';
import type { LoginCredential, LoginFailures, RefreshToken, Role, User } from '../../domain/identity.ts';
import type { ApiToken, Organization, Scope } from '../../domain/organization.ts';
import type { IdentityRepository, OwnerGuardedChange } from '../../ports/identity-repository.ts';
import { guard, isConditionFailure, storeFailure } from './errors.ts';
import { keys, stripKeys } from './keys.ts';
import { queryAll } from './query-all.ts';
import { batchGetAll, getItem } from './item-reads.ts';

type Item = Record<string, unknown>;

/** Seconds since the epoch, the unit of the table's TTL attribute. */
const epochSeconds = (iso: string): number => Math.ceil(Date.parse(iso) / 1000);

const withoutTtl = (item: Item): Item => {
  const entity = stripKeys(item);
  delete entity.ttl;
  return entity;
};

const toOrganization = (item: Item): Organization => ({
  id: Number(item.id),
  name: String(item.name),
  createdAt: String(item.createdAt),
  suspendedAt: typeof item.suspendedAt === 'string' ? item.suspendedAt : null,
});

const toUser = (item: Item): User => withoutTtl(item) as unknown as User;

export class DynamoIdentityRepository implements IdentityRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createOrganization(name: string, createdAt: string): Promise<Organization> {
    // Organization ids are small integers, as the seeds show them (`"organizationId": 42`).
    const { Attributes } = await guard(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.organizationCounter(),
          UpdateExpression: 'ADD #value :one',
          ExpressionAttributeNames: { '#value': 'value' },
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    const organization: Organization = { id: Number(Attributes?.value), name, createdAt };
    await guard(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.organization(organization.id), entity: 'organization', certificateCount: 0, ...organization },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return organization;
  }

  async getOrganization(id: number): Promise<Organization | null> {
    const item = await getItem(this.client, this.tableName, keys.organization(id));
    return item ? toOrganization(item) : null;
  }

  async listOrganizations(offset: number, limit: number): Promise<{ organizations: Organization[]; total: number }> {
    // Ids are handed out by one counter, so a page is a range of keys: item reads, no scan.
    const counter = await getItem(this.client, this.tableName, keys.organizationCounter(), { consistent: true });
    const total = Number(counter?.value ?? 0);
    const ids = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, index) => offset + index + 1);
    const items = await Promise.all(ids.map((id) => getItem(this.client, this.tableName, keys.organization(id))));
    return { organizations: items.filter((item): item is Item => item !== undefined).map(toOrganization), total };
  }

  async setOrganizationSuspended(id: number, suspendedAt: string | null): Promise<Organization | null> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.organization(id),
          UpdateExpression: 'SET suspendedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': suspendedAt },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toOrganization(Attributes) : null;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw storeFailure(error);
    }
  }

  async putToken(token: ApiToken): Promise<void> {
    const item = {
      ...keys.token(token.tokenHash),
      gsi1pk: keys.tokensOf(token.organizationId),
      gsi1sk: keys.byCreation(token.createdAt, token.id),
      entity: 'apiToken',
      ...token,
    };
    const pointer = { ...keys.tokenById(token.id), entity: 'apiTokenId', tokenHash: token.tokenHash, organizationId: token.organizationId };
    await guard(
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.tableName, Item: pointer, ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      ),
    );
  }

  async findTokenByHash(tokenHash: string): Promise<ApiToken | null> {
    const item = await getItem(this.client, this.tableName, keys.token(tokenHash));
    return item ? (stripKeys(item) as unknown as ApiToken) : null;
  }

  async listTokens(organizationId: number): Promise<ApiToken[]> {
    const items = await queryAll(this.client, this.tableName, keys.tokensOf(organizationId));
    return items.map((item) => stripKeys(item) as unknown as ApiToken);
  }

  async getToken(organizationId: number, id: string): Promise<ApiToken | null> {
    const tokenHash = await this.tokenHashOf(organizationId, id);
    const token = tokenHash ? await this.findTokenByHash(tokenHash) : null;
    return token?.organizationId === organizationId ? token : null;
  }

  async reinstateToken(tokenHash: string, scopes: readonly Scope[]): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.token(tokenHash),
          UpdateExpression: 'SET revokedAt = :null, expiresAt = :null, ownerUserId = :null, scopes = :scopes',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':null': null, ':scopes': [...scopes] },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw storeFailure(error);
    }
  }

  async revokeToken(organizationId: number, id: string, revokedAt: string): Promise<boolean> {
    const tokenHash = await this.tokenHashOf(organizationId, id);
    if (!tokenHash) return false;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.token(tokenHash),
          UpdateExpression: 'SET revokedAt = :at',
          // The first revocation time stays; revoking again is a no-op that still succeeds.
          ConditionExpression: 'attribute_exists(pk) AND organizationId = :org AND (attribute_not_exists(revokedAt) OR revokedAt = :null)',
          ExpressionAttributeValues: { ':at': revokedAt, ':org': organizationId, ':null': null },
        }),
      );
      return true;
    } catch (error) {
      // Revoked before (the first time stays), or gone: either way it no longer works.
      if (isConditionFailure(error)) return Boolean((await this.findTokenByHash(tokenHash))?.organizationId === organizationId);
      throw storeFailure(error);
    }
  }

  /** The hash of the organization's token with this id: by its id pointer, or (older tokens) from the organization's list. */
  private async tokenHashOf(organizationId: number, id: string): Promise<string | null> {
    const item = await getItem(this.client, this.tableName, keys.tokenById(id));
    if (item) return item.organizationId === organizationId ? String(item.tokenHash) : null;
    const items = await queryAll(this.client, this.tableName, keys.tokensOf(organizationId), { expression: '#id = :id', names: { '#id': 'id' }, values: { ':id': id } });
    return items[0] ? String(items[0].tokenHash) : null;
  }

  async touchToken(tokenHash: string, usedAt: string, notBefore: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.token(tokenHash),
          UpdateExpression: 'SET lastUsedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt = :null OR lastUsedAt < :notBefore)',
          ExpressionAttributeValues: { ':at': usedAt, ':notBefore': notBefore, ':null': null },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw storeFailure(error);
    }
  }

  async createUser(user: User, passwordHash: string): Promise<void> {
    const credential: LoginCredential = { email: user.email, userId: user.id, organizationId: user.organizationId, passwordHash };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.user(user.id),
                  gsi1pk: keys.usersOf(user.organizationId),
                  gsi1sk: keys.byCreation(user.createdAt, user.id),
                  entity: 'user',
                  ...user,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.loginCredential(user.email), entity: 'loginCredential', ...credential },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError('A user with this email already exists', { cause: error });
      throw storeFailure(error);
    }
  }

  async getUser(id: string): Promise<User | null> {
    const item = await getItem(this.client, this.tableName, keys.user(id));
    return item ? toUser(item) : null;
  }

  async listUsers(organizationId: number): Promise<User[]> {
    return (await queryAll(this.client, this.tableName, keys.usersOf(organizationId))).map(toUser);
  }

  async deleteUser(organizationId: number, id: string, keepOwner?: string): Promise<OwnerGuardedChange> {
    const user = await this.getUser(id);
    if (!user || user.organizationId !== organizationId) return 'missing';
    return this.changeKeepingOwner(organizationId, keepOwner, [
      {
        Delete: {
          TableName: this.tableName,
          Key: keys.user(id),
          ConditionExpression: 'organizationId = :org',
          ExpressionAttributeValues: { ':org': organizationId },
        },
      },
      { Delete: { TableName: this.tableName, Key: keys.loginCredential(user.email) } },
    ]);
  }

  /**
   * Writes `items` in one transaction, with `keepOwner` checked to be an owner of the organization in it; the first
   * item's condition tells a missing user. A transaction that lost a race with another one counts as 'owner-changed':
   * the caller reads again and decides afresh.
   */
  private async changeKeepingOwner(
    organizationId: number,
    keepOwner: string | undefined,
    items: NonNullable<TransactWriteCommandInput['TransactItems']>,
  ): Promise<OwnerGuardedChange> {
    const ownerCheck = keepOwner
      ? [
          {
            ConditionCheck: {
              TableName: this.tableName,
              Key: keys.user(keepOwner),
              ConditionExpression: 'organizationId = :org AND #role = :owner',
              ExpressionAttributeNames: { '#role': 'role' },
              ExpressionAttributeValues: { ':org': organizationId, ':owner': 'owner' },
            },
          },
        ]
      : [];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: [...items, ...ownerCheck] }));
      return 'done';
    } catch (error) {
      if (!isConditionFailure(error)) throw storeFailure(error);
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      return reasons[0]?.Code === 'ConditionalCheckFailed' ? 'missing' : 'owner-changed';
    }
  }

  async findCredential(email: string): Promise<LoginCredential | null> {
    const item = await getItem(this.client, this.tableName, keys.loginCredential(email));
    return item ? (stripKeys(item) as unknown as LoginCredential) : null;
  }

  async changePassword(user: User, passwordHash: string, at: string): Promise<void> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: keys.user(user.id),
                UpdateExpression: 'SET tokensValidAfter = :at, updatedAt = :at',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':at': at },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.loginCredential(user.email),
                UpdateExpression: 'SET passwordHash = :hash',
                ConditionExpression: 'userId = :id',
                ExpressionAttributeValues: { ':hash': passwordHash, ':id': user.id },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError('The user changed or was removed meanwhile', { cause: error });
      throw storeFailure(error);
    }
  }

  async updateRole(organizationId: number, id: string, role: Role, at: string, keepOwner?: string): Promise<OwnerGuardedChange> {
    return this.changeKeepingOwner(organizationId, keepOwner, [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.user(id),
          UpdateExpression: 'SET #role = :role, updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND organizationId = :org',
          ExpressionAttributeNames: { '#role': 'role' },
          ExpressionAttributeValues: { ':role': role, ':at': at, ':org': organizationId },
        },
      },
    ]);
  }

  async putRefreshToken(token: RefreshToken): Promise<void> {
    await guard(
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: this.refreshItem(token), ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.refreshFamily(token.familyId), entity: 'refreshFamily', userId: token.userId, ttl: epochSeconds(token.expiresAt) },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      ),
    );
  }

  async findRefreshToken(tokenHash: string): Promise<{ token: RefreshToken; familyRevoked: boolean } | null> {
    const item = await getItem(this.client, this.tableName, keys.refreshToken(tokenHash));
    if (!item) return null;
    const token = withoutTtl(item) as unknown as RefreshToken;
    const family = await getItem(this.client, this.tableName, keys.refreshFamily(token.familyId));
    return { token, familyRevoked: !family || Boolean(family.revokedAt) };
  }

  async rotateRefreshToken(used: RefreshToken, next: RefreshToken, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: keys.refreshToken(used.tokenHash),
                UpdateExpression: 'SET usedAt = :at',
                ConditionExpression: 'attribute_exists(pk) AND usedAt = :null',
                ExpressionAttributeValues: { ':at': at, ':null': null },
              },
            },
            { Put: { TableName: this.tableName, Item: this.refreshItem(next), ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw storeFailure(error);
    }
  }

  async revokeRefreshFamily(familyId: string, at: string, expiresAt: string): Promise<void> {
    await guard(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.refreshFamily(familyId),
          UpdateExpression: 'SET revokedAt = :at, #ttl = :ttl',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':at': at, ':ttl': epochSeconds(expiresAt) },
        }),
      ),
    );
  }

  async getLoginFailures(counterKeys: readonly string[]): Promise<Map<string, LoginFailures>> {
    const items = await batchGetAll(
      this.client,
      this.tableName,
      counterKeys.map((key) => keys.loginFailures(key)),
      { consistent: true },
    );
    return new Map(items.map((item) => [String(item.counterKey), { failures: Number(item.failures), lastFailureAt: String(item.lastFailureAt) }]));
  }

  async recordLoginFailure(key: string, at: Date, windowSeconds: number): Promise<void> {
    const now = at.toISOString();
    const windowStart = new Date(at.getTime() - windowSeconds * 1000).toISOString();
    // TTL only cleans up; the window is enforced by the conditions, since TTL deletion may lag by days.
    const ttl = Math.ceil(at.getTime() / 1000) + windowSeconds;
    // Concurrent failures must all count: add to a live counter, else start one only where none is live;
    // whoever loses that race adds to the winner's counter on the next round.
    for (let round = 0; round < 3; round += 1) {
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.loginFailures(key),
            UpdateExpression: 'ADD failures :one SET lastFailureAt = :at, #ttl = :ttl',
            ConditionExpression: 'attribute_exists(pk) AND lastFailureAt > :windowStart',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':one': 1, ':at': now, ':ttl': ttl, ':windowStart': windowStart },
          }),
        );
        return;
      } catch (error) {
        if (!isConditionFailure(error)) throw storeFailure(error);
      }
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...keys.loginFailures(key), entity: 'loginFailures', counterKey: key, failures: 1, lastFailureAt: now, ttl },
            ConditionExpression: 'attribute_not_exists(pk) OR lastFailureAt <= :windowStart',
            ExpressionAttributeValues: { ':windowStart': windowStart },
          }),
        );
        return;
      } catch (error) {
        if (!isConditionFailure(error)) throw storeFailure(error);
      }
    }
  }

  async clearLoginFailures(key: string): Promise<void> {
    await guard(this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.loginFailures(key) })));
  }

  async claimMarker(name: string, value: Record<string, string | number>): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.marker(name), value },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw storeFailure(error);
    }
  }

  async getMarker(name: string): Promise<Record<string, string | number> | null> {
    const item = await getItem(this.client, this.tableName, keys.marker(name));
    return (item?.value as Record<string, string | number> | undefined) ?? null;
  }

  private refreshItem(token: RefreshToken): Item {
    return { ...keys.refreshToken(token.tokenHash), entity: 'refreshToken', ...token, ttl: epochSeconds(token.expiresAt) };
  }

}
