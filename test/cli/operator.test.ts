import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { cliHome } from './support.ts';
import type { CliHome } from './support.ts';

/** The deployment operator's commands, against the local stack, as the operator and as an organization's admin. */
let api: TestApi;
let operator: CliHome;
let admin: CliHome;

beforeAll(async () => {
  [api, operator, admin] = await Promise.all([startTestApi(), cliHome(), cliHome()]);
  const logins = await Promise.all([
    operator.cli(['login', '--operator', '--url', api.stack.url, '--token', api.operatorToken]),
    admin.cli(['login', '--url', api.stack.url, '--token', api.token, '--org', String(api.organizationId)]),
  ]);
  expect(logins.map((login) => login.code)).toEqual([0, 0]);
  expect(logins[0]!.stdout).toContain('as the operator');
});
afterAll(async () => {
  await Promise.all([api?.stop(), operator?.remove(), admin?.remove()]);
});

describe('certwright operator', () => {
  it('creates an organization, lists it, suspends and reinstates it', async () => {
    const created = await operator.cli(['--json', 'operator', 'orgs', 'create', 'Customer Ltd']);
    expect(created.code).toBe(0);
    const id = created.json().id as number;
    expect(created.json()).toMatchObject({ name: 'Customer Ltd', suspended: false });

    const listed = await operator.cli(['operator', 'orgs', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+Customer Ltd\\s+active`, 'm'));

    const suspended = await operator.cli(['operator', 'orgs', 'suspend', String(id)]);
    expect(suspended).toMatchObject({ code: 0, stdout: `Suspended organization ${id} "Customer Ltd" (suspended)\n` });
    expect((await operator.cli(['operator', 'orgs', 'list'])).stdout).toMatch(new RegExp(`^${id}\\s+Customer Ltd\\s+suspended`, 'm'));
    expect((await operator.cli(['operator', 'orgs', 'reinstate', String(id)])).code).toBe(0);
  });

  it('issues an organization token into a new 0600 file without printing it, and refuses to overwrite one', async () => {
    const id = (await operator.cli(['--json', 'operator', 'orgs', 'create', 'Token Ltd'])).json().id as number;
    const out = join(operator.dir, 'token-ltd.token');
    const issued = await operator.cli(['operator', 'orgs', 'token', String(id), '--role', 'owner', '--out', out]);
    expect(issued.code).toBe(0);
    const token = (await readFile(out, 'utf8')).trim();
    expect(token).toMatch(/^cw_/);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(issued.stdout + issued.stderr).not.toContain(token);
    // The token works for its organization.
    const reply = await api.request('GET', `/api/organizations/${id}/certificates`, { token });
    expect(reply.status).toBe(200);

    const again = await operator.cli(['operator', 'orgs', 'token', String(id), '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^certwright: token \S+ was issued but not written \(.*exists already\); revoke it/);
    expect((await readFile(out, 'utf8')).trim()).toBe(token);
  });

  it('grants, lists and withdraws an account zone', async () => {
    const id = (await operator.cli(['--json', 'operator', 'orgs', 'create', 'Zone Ltd'])).json().id as number;
    const granted = await operator.cli(['operator', 'zones', 'grant', String(id), 'zone-ltd.example.test']);
    expect(granted).toMatchObject({ code: 0, stdout: `Granted zone-ltd.example.test to organization ${id}\n` });
    const listed = await operator.cli(['--json', 'operator', 'zones', 'list', String(id)]);
    expect(listed.json()).toEqual([expect.objectContaining({ zoneName: 'zone-ltd.example.test', provider: 'aws', grantedBy: 'operator' })]);
    expect((await operator.cli(['operator', 'zones', 'withdraw', String(id), 'zone-ltd.example.test'])).code).toBe(0);
    expect((await operator.cli(['operator', 'zones', 'list', String(id)])).stdout).toBe('No zones.\n');
  });

  it("refuses an organization's admin token in one line, and a usage mistake with exit code 2", async () => {
    const refused = await admin.cli(['operator', 'orgs', 'list']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^certwright: .*\(HTTP 403\)\n$/);
    const login = await admin.cli(['login', '--operator', '--url', api.stack.url, '--token', api.token]);
    expect(login.code).toBe(1);
    expect((await operator.cli(['operator', 'orgs', 'suspend', 'acme'])).code).toBe(2);
  });
});
