import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A queued failure answer: status, extra headers, and the body (a generic JSON error if absent). */
export type Failure = { status: number; headers?: Record<string, string>; body?: unknown };

export interface LocalProviderServer {
  url: string;
  requests: Array<{ method: string; path: string; body: string }>;
  /** Answer `f` to `times` requests, after letting `after` requests through. */
  failNext(f: Failure, times?: number, after?: number): void;
  close(): Promise<void>;
}

export async function listen(
  handle: (req: IncomingMessage, body: string, res: ServerResponse) => Promise<void> | void,
): Promise<LocalProviderServer> {
  const requests: LocalProviderServer['requests'] = [];
  const failures: Array<Failure | null> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', body });
      const f = failures.shift();
      if (f) {
        res.writeHead(f.status, { 'content-type': 'application/json', ...f.headers });
        res.end(
          f.body === undefined
            ? '{"errors":[{"message":"local failure"}]}'
            : JSON.stringify(f.body),
        );
        return;
      }
      void Promise.resolve(handle(req, body, res)).catch((err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (f, times = 1, after = 0) =>
      failures.push(...new Array<null>(after).fill(null), ...new Array<Failure>(times).fill(f)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === null ? '' : JSON.stringify(body));
};
