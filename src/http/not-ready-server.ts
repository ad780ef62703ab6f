import { createServer, type Server } from 'node:http';

const NOT_READY_BODY = JSON.stringify({
  status: 'unavailable',
  error: { code: 'BOUNCER_ERR_UNAVAILABLE', message: 'the database is not reachable yet' },
});

/**
 * What the port answers while start-up waits for PostgreSQL (BOUNCER_DATABASE_CONNECT_TIMEOUT_MS):
 * `/healthz` 200 (the process is up), everything else 503 with Retry-After, so `/readyz` reports
 * not-ready and a provider retries its webhook instead of seeing a refused connection. Nothing is
 * read or stored. Closed as soon as the database answers, before the real app listens.
 */
export async function startNotReadyServer(
  host: string,
  port: number,
): Promise<{ close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const up = (req.url ?? '').split('?')[0] === '/healthz';
    res.writeHead(up ? 200 : 503, {
      'content-type': 'application/json; charset=utf-8',
      'retry-after': '5',
      connection: 'close',
    });
    res.end(up ? '{"status":"ok"}' : NOT_READY_BODY);
    req.resume();
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
