import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KeyReference, KeyReferenceCursor, KeyReferences } from '../../ports/key-references.ts';
import { guard } from './errors.ts';
import { keys } from './keys.ts';

/**
 * The certificates that name a private key, by a Scan of the table: the key migration visits every certificate once,
 * which no index would make cheaper. `limit` bounds the items each page evaluates, so progress is saved often.
 */
export class DynamoKeyReferences implements KeyReferences {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async page(after: KeyReferenceCursor | undefined, limit: number): Promise<{ references: KeyReference[]; next: KeyReferenceCursor | undefined }> {
    const page = await guard(
      this.documents.send(
        new ScanCommand({
          TableName: this.tableName,
          Limit: limit,
          ExclusiveStartKey: after,
          FilterExpression: 'sk = :certificate AND attribute_type(privateKeySecretName, :string)',
          ProjectionExpression: 'organizationId, id, privateKeySecretName',
          ExpressionAttributeValues: { ':certificate': keys.certificate('x').sk, ':string': 'S' },
          ConsistentRead: true,
        }),
      ),
    );
    const references = (page.Items ?? []).map((item) => ({
      organizationId: item.organizationId as number,
      certificateId: item.id as string,
      secretName: item.privateKeySecretName as string,
    }));
    return { references, next: page.LastEvaluatedKey };
  }

  async current(_organizationId: number, certificateId: string): Promise<string | null> {
    const { Item } = await guard(
      this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: keys.certificate(certificateId), ConsistentRead: true, ProjectionExpression: 'privateKeySecretName' }),
      ),
    );
    return (Item?.privateKeySecretName as string | null | undefined) ?? null;
  }
}
