import { CrossStackReferences, ReferenceStrength, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { RenewalSchedule } from './constructs/renewal-schedule.ts';
import type { RenewalScheduleProps } from './constructs/renewal-schedule.ts';

export interface LifecycleStackProps extends StackProps, Partial<Omit<RenewalScheduleProps, 'table' | 'issuanceStateMachine'>> {
  table: ITable;
  issuanceStateMachine: IStateMachine;
  /** Functions that publish lifecycle events (the workflow steps recording an outcome): allowed PutEvents. */
  announcingFunctions?: readonly IFunction[];
}

/** The certificate lifecycle: scheduled renewals and expiry notices, with their alarms. Stateless. */
export class LifecycleStack extends Stack {
  readonly renewals: RenewalSchedule;

  constructor(scope: Construct, id: string, props: LifecycleStackProps) {
    super(scope, id, props);
    // Strong (export/import): the table and the workflow cannot go while the schedule still uses them.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    this.renewals = new RenewalSchedule(this, 'Renewals', props);
    const roles = (props.announcingFunctions ?? []).flatMap((fn) => (fn.role ? [fn.role] : []));
    if (roles.length > 0) {
      new Policy(this, 'AnnounceOutcomes', {
        roles,
        statements: [
          new PolicyStatement({
            actions: ['events:PutEvents'],
            resources: [this.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
          }),
        ],
      });
    }
  }
}
