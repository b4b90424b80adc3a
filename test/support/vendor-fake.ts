import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

/** One request as a vendor fake saw it. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface FakeReply {
  status: number;
  body?: unknown;
}

/**
 * A local HTTP stand-in for a DNS vendor's API: the routes are the vendor's documented ones (each fake says which
 * reference it follows), every request is kept for assertions, and `failNext` makes the next requests answer an
 * error status (429, 500...) the way the vendor would, to show the shared retry.
 */
export interface VendorFake {
  url: string;
  requests: FakeRequest[];
  failNext(status: number, times?: number, body?: unknown): void;
  stop(): Promise<void>;
}

export async function startVendorFake(
  handle: (request: FakeRequest) => FakeReply,
  options: { errorBody: (status: number) => unknown },
): Promise<VendorFake> {
  const requests: FakeRequest[] = [];
  const failures: FakeReply[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const text = Buffer.concat(chunks).toString();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: kept as text
      }
      const request: FakeRequest = { method: req.method ?? 'GET', path: decodeURIComponent(url.pathname), query: url.searchParams, headers: req.headers, body };
      requests.push(request);
      let reply: FakeReply;
      try {
        reply = failures.shift() ?? handle(request);
      } catch (error) {
        reply = { status: 500, body: options.errorBody(500) };
        console.error(error);
      }
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(status, times = 1, body = options.errorBody(status)) {
      for (let i = 0; i < times; i += 1) failures.push({ status, body });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A page of `items` from a 1-based page number and a page size the fake caps (small, so clients must follow pages). */
export function pageOf<T>(items: readonly T[], page: number, perPage: number): T[] {
  return items.slice((page - 1) * perPage, page * perPage);
}
