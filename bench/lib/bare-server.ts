import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

/**
 * The ceiling for bench/ingest.ts: a bare node:http server that reads the body, checks the Drip
 * HMAC (as the adapter does: hex SHA-256 over the raw bytes, constant-time compare) and answers.
 * No storage, no parsing, no framework. Prints its port on stdout.
 */
const secret = process.env.BOUNCER_DRIP_SECRET ?? 'bench-drip-secret';
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const expected = createHmac('sha256', secret).update(body).digest();
    const given = Buffer.from(String(req.headers['x-drip-signature'] ?? ''), 'hex');
    const ok = given.length === expected.length && timingSafeEqual(given, expected);
    res.writeHead(ok ? 201 : 401, { 'content-type': 'application/json' });
    res.end(ok ? '{"status":"success"}' : '{"error":"unauthorized"}');
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ msg: 'bouncer is serving', url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` })}\n`,
  );
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
