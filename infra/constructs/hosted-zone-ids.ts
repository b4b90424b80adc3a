/** `-c certwright:hostedZoneIds=Z1,Z2`: the Route 53 zones certwright may use; every zone of the account when unset. */
export const HOSTED_ZONE_IDS_CONTEXT = 'certwright:hostedZoneIds';
