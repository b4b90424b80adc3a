import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../shared/adapters/dynamodb/table-schema.ts';
import { alarmTopic } from './constructs/operations.ts';

/**
 * What must outlive a redeploy: the table and the key that encrypts every private key. Kept apart from the
 * functions so that replacing or deleting the service stack can never touch data.
 */
export class StatefulStack extends Stack {
  readonly table: Table;
  readonly secretKey: Key;
  /** Every alarm of the deployment notifies this topic (`-c certwright:alarmEmail=...` subscribes an address). */
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_SCHEMA.timeToLiveAttribute,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Same object the local stack creates its table from, so an index added there is deployed too.
    for (const index of TABLE_SCHEMA.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType[index.projection],
      });
    }

    this.secretKey = new Key(this, 'SecretKey', {
      description: 'certwright: encrypts the Secrets Manager secrets holding private keys and DNS credentials',
      enableKeyRotation: true,
      // Deleting the key would make every stored private key unreadable.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.alarmTopic = alarmTopic(this);
  }
}
