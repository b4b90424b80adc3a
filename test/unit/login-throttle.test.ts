import { describe, expect, it } from 'vitest';
import { LOGIN_THROTTLE, ROLE_SCOPES, loginDelaySeconds, scopesBeyond } from '../../shared/domain/identity.ts';
import { ALL_SCOPES } from '../../shared/domain/organization.ts';

const at = (iso: string) => new Date(iso);
const counter = (failures: number, lastFailureAt = '2026-01-01T12:00:00.000Z') => ({ failures, lastFailureAt });

describe('login throttling policy', () => {
  it('lets the first failures through, then doubles the wait from 30 s up to 15 minutes', () => {
    const now = at('2026-01-01T12:00:00.000Z');
    const threshold = LOGIN_THROTTLE.accountThreshold;
    expect(loginDelaySeconds(null, threshold, now)).toBe(0);
    expect(loginDelaySeconds(counter(threshold - 1), threshold, now)).toBe(0);
    expect([0, 1, 2, 3, 4, 5, 10].map((extra) => loginDelaySeconds(counter(threshold + extra), threshold, now))).toEqual([30, 60, 120, 240, 480, 900, 900]);
  });

  it('counts the wait from the last failure and forgets a counter after the window', () => {
    const threshold = LOGIN_THROTTLE.sourceThreshold;
    expect(loginDelaySeconds(counter(threshold), threshold, at('2026-01-01T12:00:20.000Z'))).toBe(10);
    expect(loginDelaySeconds(counter(threshold), threshold, at('2026-01-01T12:00:31.000Z'))).toBe(0);
    expect(loginDelaySeconds(counter(threshold + 10), threshold, at('2026-01-01T12:15:00.000Z'))).toBe(0);
  });
});

describe('granting scopes', () => {
  it('hands on only what the grantor holds; admin holds everything', () => {
    expect(scopesBeyond(['certificates:read', 'tokens:manage'], ['certificates:read'])).toEqual([]);
    expect(scopesBeyond(['certificates:read', 'tokens:manage'], ['certificates:write', 'admin'])).toEqual(['certificates:write', 'admin']);
    expect(scopesBeyond(['admin'], ALL_SCOPES)).toEqual([]);
  });

  it('orders the roles: each role covers the next, and only owners hold admin', () => {
    expect(scopesBeyond(ROLE_SCOPES.owner, ROLE_SCOPES.admin)).toEqual([]);
    expect(scopesBeyond(ROLE_SCOPES.admin, ROLE_SCOPES.member)).toEqual([]);
    expect(scopesBeyond(ROLE_SCOPES.member, ROLE_SCOPES.viewer)).toEqual([]);
    expect(scopesBeyond(ROLE_SCOPES.admin, ROLE_SCOPES.owner)).toEqual(['admin']);
  });
});
