import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../adapters/dynamodb/client.ts';

/** The one table client of a function, with the table's name. */
export interface Table {
  documents: DynamoDBDocumentClient;
  tableName: string;
}

export const tableFor = (config: { tableName: string; dynamodbEndpoint: string | undefined }): Table => ({
  documents: createDocumentClient(config.dynamodbEndpoint),
  tableName: config.tableName,
});
