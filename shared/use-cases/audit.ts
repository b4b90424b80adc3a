import type { AuditEvent } from '../domain/identity.ts';
import type { Principal } from '../domain/organization.ts';
import type { AuditPage } from '../ports/audit-log.ts';
import type { CoreDeps } from './core-deps.ts';

export interface AuditInput {
  principal: Principal;
  action: string;
  target: Readonly<Record<string, string>>;
  resource: string | null;
  status: number;
  sourceIp: string;
  userAgent: string;
  requestId: string;
}

/** Records one write. Callers pass ids and route names only: never a body, a header value or a secret. */
export async function recordAudit(deps: Pick<CoreDeps, 'audit' | 'clock' | 'newId'>, input: AuditInput): Promise<void> {
  const event: AuditEvent = {
    id: deps.newId(),
    organizationId: input.principal.organizationId,
    at: deps.clock.now().toISOString(),
    actor: input.principal.subject,
    action: input.action,
    target: { ...input.target },
    resource: input.resource,
    status: input.status,
    sourceIp: input.sourceIp,
    userAgent: input.userAgent.slice(0, 256),
    requestId: input.requestId,
  };
  await deps.audit.record(event);
}

export const listAuditEvents = (deps: Pick<CoreDeps, 'audit'>, principal: Principal, limit: number, after: string | null): Promise<AuditPage> =>
  deps.audit.list(principal.organizationId, limit, after);
