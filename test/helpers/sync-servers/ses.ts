import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { json, listen, type LocalProviderServer } from './local-server.js';

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Buffer =>
  typeof d === 'string'
    ? d
    : d instanceof ArrayBuffer
      ? Buffer.from(d)
      : Buffer.from(d.buffer, d.byteOffset, d.byteLength);

class NodeSha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

/**
 * A local server implementing the SESv2 account suppression list endpoints
 * (PutSuppressedDestination `PUT /v2/email/suppression/addresses`, DeleteSuppressedDestination
 * `DELETE /v2/email/suppression/addresses/{EmailAddress}`), verifying each request's AWS SigV4
 * signature by signing it again with the same credentials (403 SignatureDoesNotMatch otherwise).
 */
export async function startSesServer(creds: {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}): Promise<LocalProviderServer & { list: Map<string, string>; badSignatures: number }> {
  const list = new Map<string, string>();
  const signer = new SignatureV4({
    credentials: creds,
    region: creds.region,
    service: 'ses',
    sha256: NodeSha256,
  });
  const state = { badSignatures: 0 };
  const s = await listen(async (req, body, res) => {
    const auth = String(req.headers.authorization ?? '');
    const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    const headers: Record<string, string> = {};
    for (const h of signed) headers[h] = String(req.headers[h] ?? '');
    const date = new Date(
      amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
    );
    const again = await signer.sign(
      {
        method: req.method ?? 'GET',
        protocol: 'http:',
        hostname: headers.host?.split(':')[0] ?? '127.0.0.1',
        port: Number(headers.host?.split(':')[1] ?? 80),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body: body === '' ? undefined : body,
      },
      { signingDate: date },
    );
    if (!auth.startsWith('AWS4-HMAC-SHA256 ') || again.headers.authorization !== auth) {
      state.badSignatures++;
      res.writeHead(403, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'SignatureDoesNotMatch',
      });
      res.end('{"message":"The request signature we calculated does not match"}');
      return;
    }
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && url.pathname === '/v2/email/suppression/addresses') {
      const size = Number(url.searchParams.get('PageSize') ?? 100);
      const start = Number(url.searchParams.get('NextToken') ?? 0);
      const all = [...list.entries()];
      const page = all.slice(start, start + size);
      return json(res, 200, {
        SuppressedDestinationSummaries: page.map(([EmailAddress, Reason]) => ({
          EmailAddress,
          Reason,
          LastUpdateTime: 1_764_000_000,
        })),
        ...(start + size < all.length ? { NextToken: String(start + size) } : {}),
      });
    }
    if (req.method === 'PUT' && url.pathname === '/v2/email/suppression/addresses') {
      const b = JSON.parse(body) as { EmailAddress: string; Reason: string };
      list.set(b.EmailAddress, b.Reason);
      return json(res, 200, {});
    }
    if (
      req.method === 'DELETE' &&
      (m = /^\/v2\/email\/suppression\/addresses\/(.+)$/.exec(url.pathname))
    ) {
      const email = decodeURIComponent(m[1]!);
      if (!list.delete(email)) {
        res.writeHead(404, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'NotFoundException',
        });
        res.end('{"message":"not on the suppression list"}');
        return;
      }
      return json(res, 200, {});
    }
    return json(res, 404, { message: 'no such endpoint' });
  });
  return Object.defineProperties(Object.assign(s, { list }), {
    badSignatures: { get: () => state.badSignatures, enumerable: true },
  }) as unknown as LocalProviderServer & { list: Map<string, string>; badSignatures: number };
}
