import { Logger } from '@aws-lambda-powertools/logger';
import { loadRenewalConfig } from '../../shared/config/renewal-config.ts';
import { systemAmbient } from '../../shared/wiring/basics.ts';
import { expiryNoticeDeps } from '../../shared/wiring/scheduled.ts';
import type { ExpiryNoticeDeps, ExpiryNoticeResult } from '../../shared/use-cases/expiry-notices.ts';
import { sendExpiryNotices } from '../../shared/use-cases/expiry-notices.ts';

const logger = new Logger({ serviceName: 'certwright', persistentKeys: { function: 'expiry-notices' } });
const config = loadRenewalConfig();
let deps: ExpiryNoticeDeps | undefined;

/** Daily (EventBridge schedule): expiry events and DaysToExpiry metrics for the certificates close to their end. */
export const handler = async (): Promise<ExpiryNoticeResult> => {
  deps ??= expiryNoticeDeps(config, systemAmbient);
  const result = await sendExpiryNotices(deps, { noticeDays: config.expiryNoticeDays });
  logger.info('expiry notices sent', { ...result });
  return result;
};
