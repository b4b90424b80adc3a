import { Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { HOSTED_ZONE_IDS_CONTEXT } from './hosted-zone-ids.ts';

/**
 * What a DNS-01 check outside the workflow needs of Route 53: find a name's zone and its name servers
 * (ListHostedZonesByName, GetHostedZone), no more. The zones are those of `certwright:hostedZoneIds` when set.
 */
export function grantZoneLookup(fn: NodejsFunction): void {
  const stack = Stack.of(fn);
  const zones = String(stack.node.tryGetContext(HOSTED_ZONE_IDS_CONTEXT) ?? '')
    .split(',')
    .map((zone) => zone.trim())
    .filter(Boolean);
  const zoneArns = (zones.length > 0 ? zones : ['*']).map((id) =>
    stack.formatArn({ service: 'route53', region: '', account: '', resource: 'hostedzone', resourceName: id.replace(/^\/hostedzone\//, '') }),
  );
  // IAM has no resource-level permission for listing zones by name.
  fn.addToRolePolicy(new PolicyStatement({ actions: ['route53:ListHostedZonesByName'], resources: ['*'] }));
  fn.addToRolePolicy(new PolicyStatement({ actions: ['route53:GetHostedZone'], resources: zoneArns }));
  if (!fn.role) return;
  Validations.of(fn.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'route53:ListHostedZonesByName has no resource-level permissions; the zone is found by name at run time.',
  });
  if (zones.length === 0) {
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:route53:::hostedzone/*]',
      reason: 'The zone of a name is found by name at run time and only read (GetHostedZone); deployments that know their zones pass hostedZoneIds.',
    });
  }
}
