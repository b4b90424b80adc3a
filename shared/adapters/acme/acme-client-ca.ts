import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { Agent } from 'node:https';
import { createSecureContext, rootCertificates } from 'node:tls';
import type * as acme from 'acme-client';
import AcmeClient from 'acme-client/src/client.js';
import acmeAxios from 'acme-client/src/axios.js';
import acmeCrypto from 'acme-client/src/crypto/index.js';
import type { ChallengeType } from '../../domain/acme.ts';
import { StepError, stepErrorForProblem } from '../../domain/acme-errors.ts';
import type { AcmeProblem } from '../../domain/acme-errors.ts';
import type { AcmeAccountSession, AcmeAuthorization, AcmeCa, AcmeDirectoryInfo, AcmeOrder } from '../../ports/acme-ca.ts';
import { generateCertificateKey } from './certificate-key.ts';

/**
 * acme-client throws plain Errors carrying only the problem's detail, which loses whether a failure is worth
 * retrying. Every call runs in its own context here; an interceptor on acme-client's axios records the last
 * problem document the CA sent in that context, so the adapter can throw an error named for its kind.
 */
interface CallContext {
  problem: AcmeProblem | null;
  url: string | null;
  /** The session the call is made for: its carried nonce is used and replaced by each answer's. */
  session: AcmeAccountSession | null;
}
const calls = new AsyncLocalStorage<CallContext>();

const http = acmeAxios;
// One request per step: waiting and retrying is the workflow's job (acme-client would otherwise wait 5 s x 5 inside a Lambda).
(http.defaults as { acmeSettings?: { retryMaxAttempts: number } }).acmeSettings!.retryMaxAttempts = 0;

const parseRetryAfter = (value: unknown): number | null => {
  if (typeof value !== 'string') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - Date.now()) / 1000));
};

http.interceptors.request.use((config) => {
  const context = calls.getStore();
  if (context) context.url = config.url ?? null;
  return config;
});
http.interceptors.response.use(
  (response) => {
    const context = calls.getStore();
    // Every answer to a signed request brings a fresh nonce (RFC 8555 section 6.5): keep it for the next request.
    // A newNonce answer's (HEAD) goes straight into the request that asked for it, so it is not kept.
    const replayNonce: unknown = response.headers['replay-nonce'];
    if (context?.session && typeof replayNonce === 'string' && response.config.method !== 'head') context.session.nonce = replayNonce;
    if (context) {
      const data = response.data as { type?: unknown; detail?: unknown } | undefined;
      context.problem =
        response.status >= 400
          ? {
              status: response.status,
              type: typeof data?.type === 'string' ? data.type : '',
              detail: typeof data?.detail === 'string' ? data.detail : '',
              retryAfterSeconds: parseRetryAfter(response.headers['retry-after']),
            }
          : null;
    }
    return response;
  },
  (error: unknown) => {
    // No response at all (refused, reset, TLS): acme-client's own handler then fails on `response.config`.
    const context = calls.getStore();
    const where = context?.url ? ` (${new URL(context.url).host})` : '';
    const reason = (error as { code?: string }).code ?? 'no response';
    return Promise.reject(new StepError('AcmeNetworkError', `The CA could not be reached${where}: ${reason}`, { cause: error }));
  },
);

const extraCas = new Set<string>();

/** Trusts an additional CA for the ACME server's HTTPS (Pebble's generated CA on the local stack). */
export function trustAcmeServerCa(pem: string): void {
  if (extraCas.has(pem)) return;
  extraCas.add(pem);
  // One secure context for every connection: with `ca` on the agent, Node would parse the ~150 public roots again for
  // each new TLS connection and hash them into each request's agent key.
  http.defaults.httpsAgent = new Agent({ keepAlive: true, secureContext: createSecureContext({ ca: [...rootCertificates, ...extraCas] }) });
}

/** Errors made from an `alreadyRevoked` problem (RFC 8555 section 6.7): a revocation that has nothing left to do. */
const alreadyRevoked = new WeakSet<Error>();

function toStepError(error: unknown, context: CallContext): Error {
  if (error instanceof StepError) return error;
  if (context.problem) {
    const stepError = stepErrorForProblem(context.problem, new Date());
    if (context.problem.type === 'urn:ietf:params:acme:error:alreadyRevoked') alreadyRevoked.add(stepError);
    return stepError;
  }
  return error instanceof Error ? error : new Error(String(error));
}

async function call<T>(session: AcmeAccountSession | null, operation: () => Promise<T>): Promise<T> {
  const context: CallContext = { problem: null, url: null, session };
  return calls.run(context, async () => {
    try {
      return await operation();
    } catch (error) {
      throw toStepError(error, context);
    }
  });
}

const problemDetail = (error: unknown): string | null => {
  const detail = (error as { detail?: unknown } | undefined)?.detail;
  return typeof detail === 'string' ? detail : null;
};

function toOrder(order: acme.Order): AcmeOrder {
  return {
    url: order.url,
    status: order.status,
    authorizations: order.authorizations ?? [],
    finalize: order.finalize,
    certificate: order.certificate ?? null,
    errorDetail: problemDetail(order.error),
  };
}

function toAuthorization(authorization: acme.Authorization): AcmeAuthorization {
  return {
    url: authorization.url,
    status: authorization.status as AcmeAuthorization['status'],
    identifier: authorization.identifier.value,
    wildcard: authorization.wildcard ?? false,
    challenges: authorization.challenges.map((challenge) => ({
      type: challenge.type,
      url: challenge.url,
      token: (challenge as { token?: string }).token ?? '',
      status: challenge.status,
      errorDetail: problemDetail(challenge.error),
    })),
  };
}

/**
 * acme-client asks newNonce for a nonce before every signed request (a HEAD that, without a Content-Length in the
 * answer, also costs Node its kept-alive connection). The session's carried nonce is used instead when there is one;
 * a stale one is answered with badNonce and a fresh nonce, which acme-client uses to send the request again.
 */
function useCarriedNonces(client: acme.Client): void {
  const httpClient = (client as unknown as { http: { getNonce: () => Promise<string> } }).http;
  const askNewNonce = httpClient.getNonce.bind(httpClient);
  httpClient.getNonce = () => {
    const session = calls.getStore()?.session;
    const carried = session?.nonce;
    if (!session || !carried) return askNewNonce();
    session.nonce = null;
    return Promise.resolve(carried);
  };
}

/** The AcmeCa port on acme-client 5: one client per account, cached while the Lambda stays warm. */
export class AcmeClientCa implements AcmeCa {
  private readonly clients = new Map<string, acme.Client>();

  private client(session: AcmeAccountSession, eab?: { kid: string; hmacKey: string } | null): acme.Client {
    const key = `${session.directoryUrl}\n${session.accountUrl ?? ''}\n${createHash('sha256').update(session.accountKeyPem).digest('hex')}`;
    let client = this.clients.get(key);
    if (!client || eab) {
      client = new AcmeClient({
        directoryUrl: session.directoryUrl,
        accountKey: session.accountKeyPem,
        ...(session.accountUrl ? { accountUrl: session.accountUrl } : {}),
        ...(eab ? { externalAccountBinding: eab } : {}),
      });
      useCarriedNonces(client);
      if (session.accountUrl) this.clients.set(key, client);
    }
    return client;
  }

  directory(directoryUrl: string): Promise<AcmeDirectoryInfo> {
    return call(null, async () => {
      const response = await http.get(directoryUrl);
      if (response.status !== 200 || typeof response.data !== 'object') {
        throw new StepError(
          response.status >= 500 ? 'AcmeServerError' : 'AcmeProblemError',
          `The ACME directory ${directoryUrl} answered HTTP ${response.status}`,
        );
      }
      const meta = (response.data as { meta?: { profiles?: Record<string, unknown>; externalAccountRequired?: boolean } }).meta ?? {};
      return { profiles: Object.keys(meta.profiles ?? {}), externalAccountRequired: meta.externalAccountRequired === true };
    });
  }

  registerAccount(
    session: AcmeAccountSession,
    input: { email: string | null; externalAccountBinding: { kid: string; hmacKey: string } | null },
  ) {
    return call(session, async () => {
      const client = this.client({ ...session, accountUrl: null }, input.externalAccountBinding);
      // newAccount itself: acme-client's createAccount follows a 200 (the key has an account already, as when an
      // attempt registered it and was cut off before storing the record) with an update, which a CA may refuse as
      // empty (Pebble does). The 200 already names the account, and that is all this needs.
      const { api } = client as unknown as { api: { createAccount(data: object): Promise<unknown> } };
      await api.createAccount({ termsOfServiceAgreed: true, ...(input.email ? { contact: [`mailto:${input.email}`] } : {}) });
      return client.getAccountUrl();
    });
  }

  createOrder(session: AcmeAccountSession, input: { identifiers: string[]; profile: string | null; replaces?: string }) {
    return call(session, async () => {
      const request = {
        identifiers: input.identifiers.map((value) => ({ type: 'dns', value })),
        ...(input.profile ? { profile: input.profile } : {}),
        ...(input.replaces ? { replaces: input.replaces } : {}),
      };
      return toOrder(await this.client(session).createOrder(request as Parameters<acme.Client['createOrder']>[0]));
    });
  }

  getOrder(session: AcmeAccountSession, orderUrl: string) {
    return call(session, async () => toOrder(await this.client(session).getOrder({ url: orderUrl } as acme.Order)));
  }

  getAuthorization(session: AcmeAccountSession, url: string) {
    return call(session, async () => {
      const [authorization] = await this.client(session).getAuthorizations({ authorizations: [url] } as acme.Order);
      if (!authorization) throw new StepError('AcmeProblemError', `The CA returned no authorization for ${url}`);
      return toAuthorization(authorization);
    });
  }

  challengeValue(session: AcmeAccountSession, type: ChallengeType, token: string) {
    return this.client(session).getChallengeKeyAuthorization({ type, token, url: '', status: 'pending' } as Parameters<
      acme.Client['completeChallenge']
    >[0]);
  }

  completeChallenge(session: AcmeAccountSession, challengeUrl: string) {
    return call(session, async () => {
      await this.client(session).completeChallenge({ url: challengeUrl } as Parameters<acme.Client['completeChallenge']>[0]);
    });
  }

  finalize(session: AcmeAccountSession, order: { url: string; finalize: string }, csrPem: string) {
    return call(session, async () => toOrder(await this.client(session).finalizeOrder(order as acme.Order, csrPem)));
  }

  generateKey(keyType: 'rsa' | 'ec', keySize: number): string {
    return generateCertificateKey(keyType, keySize);
  }

  async createCsr(keyPem: string, names: { commonName: string | null; altNames: string[] }): Promise<string> {
    const [, csr] = await acmeCrypto.createCsr(
      { ...(names.commonName ? { commonName: names.commonName } : {}), altNames: names.altNames },
      keyPem,
    );
    return csr.toString();
  }

  downloadCertificate(session: AcmeAccountSession, certificateUrl: string) {
    return call(session, () => this.client(session).getCertificate({ status: 'valid', certificate: certificateUrl } as acme.Order));
  }

  async revokeCertificate(session: AcmeAccountSession, certificatePem: string, reason: number): Promise<'revoked' | 'already_revoked'> {
    try {
      await call(session, () => this.client(session).revokeCertificate(certificatePem, { reason }));
      return 'revoked';
    } catch (error) {
      if (error instanceof StepError && alreadyRevoked.has(error)) return 'already_revoked';
      throw error;
    }
  }
}
