/** Environment variable names, shared by the functions that read them and the infra that sets them. */
export const ENV = {
  tableName: 'CERTWRIGHT_TABLE_NAME',
  /** The deployment's stage (`prod`, `staging`...): the `stage` dimension of the lifecycle metrics. `local` when unset. */
  stage: 'CERTWRIGHT_STAGE',
  secretPrefix: 'CERTWRIGHT_SECRET_PREFIX',
  secretKmsKeyId: 'CERTWRIGHT_SECRET_KMS_KEY_ID',
  secretRecoveryDays: 'CERTWRIGHT_SECRET_RECOVERY_DAYS',
  /**
   * Where certificate private keys live: `secrets-manager` (default, one secret per key) or `envelope` (AES-256-GCM
   * in the table under a KMS data key, the key of CERTWRIGHT_SECRET_KMS_KEY_ID). CDK sets it from `certwright:keyStore`.
   */
  keyStore: 'CERTWRIGHT_KEY_STORE',
  /** Local stack only: DynamoDB Local's endpoint. */
  dynamodbEndpoint: 'CERTWRIGHT_DYNAMODB_ENDPOINT',
  /** Local stack only: folder of the file-backed secret store; when set, Secrets Manager is not used. */
  secretDir: 'CERTWRIGHT_SECRET_DIR',
  maxBodyBytes: 'CERTWRIGHT_MAX_BODY_BYTES',
  /** Most certificates one organization may store (all dialects, uploads and ACME alike). */
  certificateQuota: 'CERTWRIGHT_CERTIFICATE_QUOTA',
  /**
   * New orders per ACME account per window (Let's Encrypt: 300 per 180 minutes), spent by the renewal planner and
   * by renew now alike; and the most the planner reads per run.
   */
  renewalOrderLimit: 'CERTWRIGHT_RENEWAL_ORDER_LIMIT',
  renewalOrderWindowMinutes: 'CERTWRIGHT_RENEWAL_ORDER_WINDOW_MINUTES',
  renewalMaxPerRun: 'CERTWRIGHT_RENEWAL_MAX_PER_RUN',
  /** Lifecycle events: "approaching expiration" is sent daily from this many days before expiry. */
  expiryNoticeDays: 'CERTWRIGHT_EXPIRY_NOTICE_DAYS',
  /** Local stack only: lifecycle events are appended as JSON lines to this file instead of going to EventBridge. */
  eventsFile: 'CERTWRIGHT_EVENTS_FILE',
  /** ACME: the default CA directory (Let's Encrypt production unless set) and the one `staging` picks. */
  acmeDirectoryUrl: 'CERTWRIGHT_ACME_DIRECTORY_URL',
  acmeStagingDirectoryUrl: 'CERTWRIGHT_ACME_STAGING_DIRECTORY_URL',
  /** Local stack only: PEM file of an extra CA to trust for the ACME server's HTTPS (Pebble's). */
  acmeCaFile: 'CERTWRIGHT_ACME_CA_FILE',
  /** Local stack only: why ACME issuance is unavailable (Pebble not installed); obtain answers it. */
  acmeUnavailable: 'CERTWRIGHT_ACME_UNAVAILABLE',
  /** Local stack only: pebble-challtestsrv's management URL and DNS `host:port`, used instead of Route 53. */
  challtestsrvUrl: 'CERTWRIGHT_CHALLTESTSRV_URL',
  challtestsrvDns: 'CERTWRIGHT_CHALLTESTSRV_DNS',
  /** Tests and the local stack only: `provider=baseUrl,...`, each DNS provider's API at its local fake. */
  dnsApiEndpoints: 'CERTWRIGHT_DNS_API_ENDPOINTS',
  /**
   * Local stack only: the port the CA's HTTP-01 validation connects to (Pebble's httpPort, the local API's port). Set,
   * the HTTP-01 pre-flight follows redirects to any port, as Pebble does; unset, port 80 and Let's Encrypt's rules.
   */
  http01Port: 'CERTWRIGHT_HTTP01_PORT',
  /**
   * Default for new auto-managed certificates that do not say: `true` makes renewals keep the key (cert-manager's
   * rotationPolicy Never, lego's --reuse-key); unset or `false` gives every renewal a new key.
   */
  reusePrivateKey: 'CERTWRIGHT_REUSE_PRIVATE_KEY',
  /**
   * Most ACME accounts an organization may hold at one CA (1 when unset): when the new-order budgets of those it has
   * are spent, the next order registers one more, up to this many; the planner spreads due renewals over them.
   */
  acmeAccountsPerCa: 'CERTWRIGHT_ACME_ACCOUNTS_PER_CA',
  /**
   * Comma-separated CA directory URLs whose renewals carrying ARI's `replaces` do not spend the new-order budget (the
   * CA exempts them from its limits). Unset: Let's Encrypt's production and staging directories; `none`: no CA.
   */
  acmeReplacesExemptDirectories: 'CERTWRIGHT_ACME_REPLACES_EXEMPT_DIRECTORIES',
  /** The issuance state machine the API starts executions of; `local` runs it in-process (local stack). */
  issuanceStateMachineArn: 'CERTWRIGHT_ISSUANCE_STATE_MACHINE_ARN',
  /** The attempt sweeper leaves attempts younger than this alone (their execution may be starting). */
  sweeperGraceMinutes: 'CERTWRIGHT_SWEEPER_GRACE_MINUTES',
  /** Most in-flight attempts one sweeper run looks at. */
  sweeperMaxPerRun: 'CERTWRIGHT_SWEEPER_MAX_PER_RUN',
} as const;

/** The key stores a deployment can choose (`certwright:keyStore`); the first is the default. */
export const KEY_STORES = ['secrets-manager', 'envelope'] as const;
export type KeyStoreKind = (typeof KEY_STORES)[number];

/** Every secret certwright writes is named under this prefix; IAM grants access by it. */
export const DEFAULT_SECRET_PREFIX = 'certwright/';
