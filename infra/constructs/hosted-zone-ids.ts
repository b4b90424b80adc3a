import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** `-c certwright:hostedZoneIds=Z1,Z2`: the Route 53 zones certwright may use; every zone of the account when unset. */
export const HOSTED_ZONE_IDS_CONTEXT = 'certwright:hostedZoneIds';

/** The zone ids `certwright:hostedZoneIds` names, or undefined when it names none (every zone). */
export function hostedZoneIdsOf(scope: Construct): string[] | undefined {
  const zones = String(scope.node.tryGetContext(HOSTED_ZONE_IDS_CONTEXT) ?? '')
    .split(',')
    .map((zone) => zone.trim())
    .filter(Boolean);
  return zones.length > 0 ? zones : undefined;
}

/** The ARNs of these zones (`/hostedzone/Z1` or `Z1`), or of every zone when none are named. */
export function hostedZoneArns(scope: Construct, hostedZoneIds: readonly string[] | undefined): string[] {
  const stack = Stack.of(scope);
  return (hostedZoneIds ?? ['*']).map((id) =>
    stack.formatArn({ service: 'route53', region: '', account: '', resource: 'hostedzone', resourceName: id.replace(/^\/hostedzone\//, '') }),
  );
}
