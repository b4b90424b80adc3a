import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { startLocalStack } from '../../infra/local/stack.ts';
import type { LocalStack, LocalStackOptions } from '../../infra/local/stack.ts';
import type { Scope } from '../../shared/domain/organization.ts';
import { ALL_SCOPES } from '../../shared/domain/organization.ts';
import { displayPrefix, generateTokenValue, hashToken } from '../../shared/use-cases/api-tokens.ts';
import type { CoreDeps } from '../../shared/use-cases/core-deps.ts';

export interface ApiReply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  /** Sent as-is instead of JSON. */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export interface TestApi {
  stack: LocalStack;
  token: string;
  /** The operator's token (operator:read, operator:write), above every organization. */
  operatorToken: string;
  organizationId: number;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiReply<T>>;
  stop(): Promise<void>;
}

/** The local stack with its own table in the shared DynamoDB Local, on a free port. */
export async function startTestApi(options: Pick<LocalStackOptions, 'acme'> = {}): Promise<TestApi> {
  const token = generateTokenValue();
  const operatorToken = generateTokenValue();
  const stack = await startLocalStack({
    port: 0,
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: `test-${randomUUID()}`,
    bootstrapToken: token,
    operatorToken,
    ...options,
  });
  const request = async (method: string, path: string, options: RequestOptions = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const presented = options.token === undefined ? token : options.token;
    if (presented) headers['x-api-token'] = presented;
    let body: string | Buffer | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${stack.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: response.status, headers: response.headers, body: parsed as any, text };
  };
  return { stack, token, operatorToken, organizationId: stack.bootstrap.organizationId, request, stop: () => stack.stop() };
}

/** Another organization with a token holding `scopes`, straight through the identity port. */
export async function createOrganizationWithToken(deps: CoreDeps, scopes: readonly Scope[] = ALL_SCOPES) {
  const now = deps.clock.now().toISOString();
  const organization = await deps.identity.createOrganization(`org-${randomUUID().slice(0, 8)}`, now);
  const token = generateTokenValue();
  await deps.identity.putToken({
    id: randomUUID(),
    organizationId: organization.id,
    name: 'test',
    tokenHash: hashToken(token),
    prefix: displayPrefix(token),
    scopes: [...scopes],
    createdAt: now,
    expiresAt: null,
    revokedAt: null,
  });
  return { organization, token };
}
