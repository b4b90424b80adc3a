import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ENV } from '../../shared/config/env-names.ts';
import type { CertificateRepository } from '../../shared/ports/certificate-repository.ts';
import { deleteCertificate } from '../../shared/use-cases/delete-certificate.ts';
import { createPki } from '../support/certificates.ts';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';

let api: TestApi;
let pki: Awaited<ReturnType<typeof createPki>>;

beforeAll(async () => {
  [api, pki] = await Promise.all([startTestApi(), createPki()]);
});
afterAll(() => api.stop());

const secretsOf = async (id: string) =>
  (await readdir(process.env[ENV.secretDir] ?? '')).filter((file) => decodeURIComponent(file).includes(`/${id}/`));

it('a delete that races a PATCH replacing the key leaves no key secret behind', async () => {
  const base = `/api/organizations/${api.organizationId}/certificates`;
  const first = await pki.leaf({ names: ['race.example.com'] });
  const created = await api.request('POST', base, { body: { certificateData: first.certificatePem, privateKeyData: first.privateKeyPem } });
  expect(created.status).toBe(201);
  const id: string = created.body.id;

  // The PATCH lands between the delete's read of the record and its delete transaction.
  const second = await pki.leaf({ names: ['race.example.com'] });
  const real = api.stack.deps.certificates;
  let patchStatus = 0;
  const racing: CertificateRepository = Object.assign(Object.create(real) as CertificateRepository, {
    get: async (organizationId: number, certificateId: string) => {
      const read = await real.get(organizationId, certificateId);
      if (patchStatus === 0) {
        const patched = await api.request('PATCH', `${base}/${id}`, {
          body: { certificateData: second.certificatePem, privateKeyData: second.privateKeyPem },
          headers: { 'content-type': 'application/merge-patch+json' },
        });
        patchStatus = patched.status;
      }
      return read;
    },
  });

  await deleteCertificate({ ...api.stack.deps, certificates: racing }, { organizationId: api.organizationId, subject: 'test', scopes: ['admin'] }, id);

  expect(patchStatus).toBe(200);
  expect((await api.request('GET', `${base}/${id}`)).status).toBe(404);
  expect(await secretsOf(id)).toEqual([]);
});
