import { describe, expect, it } from 'vitest';
import { CertwrightError } from '../../shared/domain/errors.ts';
import { resolveChallengeRecordName } from '../../shared/use-cases/acme/challenge-name.ts';
import type { ResolveCname } from '../../shared/use-cases/acme/challenge-name.ts';

const dnsError = (code: string) => Object.assign(new Error(`queryCname ${code}`), { code });

/** A resolver answering from a fixed CNAME table; any other name has no CNAME, as a real resolver says it. */
const resolverOf = (cnames: Record<string, string>): ResolveCname & { asked: string[] } => {
  const asked: string[] = [];
  const resolve = async (name: string) => {
    asked.push(name);
    const target = cnames[name];
    if (target === undefined) throw dnsError('ENODATA');
    return [target];
  };
  return Object.assign(resolve, { asked });
};

describe('resolveChallengeRecordName', () => {
  it('is _acme-challenge.<domain> when there is no CNAME, for a wildcard too', async () => {
    const resolve = resolverOf({});
    expect(await resolveChallengeRecordName('Example.COM', resolve)).toBe('_acme-challenge.example.com');
    expect(await resolveChallengeRecordName('*.example.com', resolve)).toBe('_acme-challenge.example.com');
    expect(resolve.asked).toEqual(['_acme-challenge.example.com', '_acme-challenge.example.com']);
  });

  it('follows a delegation CNAME chain to the name where the TXT record must go', async () => {
    const resolve = resolverOf({
      '_acme-challenge.shop.example.com': 'shop.acme.example.net.',
      'shop.acme.example.net': 'Final.Validation.Example.org',
    });
    expect(await resolveChallengeRecordName('shop.example.com', resolve)).toBe('final.validation.example.org');
    expect(resolve.asked).toEqual(['_acme-challenge.shop.example.com', 'shop.acme.example.net', 'final.validation.example.org']);
  });

  it('stops at a target that does not exist yet (NXDOMAIN): the record will be created there', async () => {
    const resolve: ResolveCname = async (name) => {
      if (name === '_acme-challenge.example.com') return ['challenges.example.net'];
      throw dnsError('ENOTFOUND');
    };
    expect(await resolveChallengeRecordName('example.com', resolve)).toBe('challenges.example.net');
  });

  it('refuses a CNAME loop instead of following it forever', async () => {
    const resolve = resolverOf({ '_acme-challenge.example.com': 'a.example.net', 'a.example.net': '_acme-challenge.example.com' });
    await expect(resolveChallengeRecordName('example.com', resolve)).rejects.toMatchObject({
      code: 'bad_request',
      message: 'The CNAME chain of _acme-challenge.example.com loops at _acme-challenge.example.com',
    });
  });

  it('turns a failing resolver into a retryable error rather than guessing the name', async () => {
    const error = await resolveChallengeRecordName('example.com', async () => {
      throw dnsError('ETIMEOUT');
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CertwrightError);
    expect(error).toMatchObject({ code: 'dependency_unavailable', retryable: true });
  });
});
