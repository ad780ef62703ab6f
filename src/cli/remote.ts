import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Remote {
  server: string;
  key: string;
}

/**
 * One streamed request to a Bouncer server. The body is piped while the answer is read, as the
 * streaming endpoints require; node:http rather than fetch because fetch hides trailers.
 */
export async function remoteRequest(
  remote: Remote,
  method: string,
  path: string,
  body?: { stream: Readable; contentType: string },
): Promise<IncomingMessage> {
  const url = new URL(path, remote.server.endsWith('/') ? remote.server : `${remote.server}/`);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const req = send(url, {
    method,
    headers: {
      authorization: `Bearer ${remote.key}`,
      ...(body ? { 'content-type': body.contentType, 'transfer-encoding': 'chunked' } : {}),
    },
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  if (body) {
    pipeline(body.stream, req).catch((err: unknown) => req.destroy(err as Error));
  } else req.end();
  const res = await response;
  if ((res.statusCode ?? 0) >= 400) {
    let text = '';
    for await (const chunk of res) text += String(chunk);
    let message = text;
    try {
      message = (JSON.parse(text) as { error: { message: string } }).error.message;
    } catch {
      // not our JSON error body; show it as it came
    }
    throw new Error(`${url.origin} answered ${res.statusCode}: ${message}`);
  }
  return res;
}
