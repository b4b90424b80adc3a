import { NodeHttp01Fetcher } from '../adapters/http01/node-http01-fetcher.ts';
import type { AcmeConfig } from '../config/acme-config.ts';
import type { Http01Fetcher } from '../ports/http01-fetcher.ts';

/** HTTP-01 fetched as the CA does: port 80 and Let's Encrypt's redirect rules in AWS; Pebble's port and resolver locally. */
export const http01FetcherFor = (config: AcmeConfig): Http01Fetcher =>
  new NodeHttp01Fetcher({
    httpPort: config.http01.port,
    redirectPorts: config.http01.redirectPorts,
    dnsServer: config.challtestsrv?.dnsServer,
  });
