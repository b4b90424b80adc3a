import { Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { hostedZoneArns, hostedZoneIdsOf } from './hosted-zone-ids.ts';

/**
 * What a DNS-01 check outside the workflow needs of Route 53: find a name's zone and its name servers
 * (ListHostedZonesByName, GetHostedZone), no more. The zones are those of `certwright:hostedZoneIds` when set.
 */
export function grantZoneLookup(fn: LambdaFunction): void {
  const zones = hostedZoneIdsOf(fn);
  const zoneArns = hostedZoneArns(fn, zones);
  // IAM has no resource-level permission for listing zones by name.
  fn.addToRolePolicy(new PolicyStatement({ actions: ['route53:ListHostedZonesByName'], resources: ['*'] }));
  fn.addToRolePolicy(new PolicyStatement({ actions: ['route53:GetHostedZone'], resources: zoneArns }));
  if (!fn.role) return;
  Validations.of(fn.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'route53:ListHostedZonesByName has no resource-level permissions; the zone is found by name at run time.',
  });
  if (!zones) {
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:route53:::hostedzone/*]',
      reason: 'The zone of a name is found by name at run time and only read (GetHostedZone); deployments that know their zones pass hostedZoneIds.',
    });
  }
}
