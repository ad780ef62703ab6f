import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSesAdapter } from '../../../src/providers/ses/ses.adapter.js';
import {
  confirmSnsSubscription,
  createFetchingSnsCertificateSource,
  createStaticSnsCertificateSource,
  loadSnsCertificateFiles,
  type FetchLike,
} from '../../../src/services/ingest/sns-certificates.js';
import {
  AWS_CERT_PATH,
  AWS_CERT_PEM,
  AWS_MESSAGES,
  AWS_SIGNED,
  AWS_RECEIVED_AT,
  AWS_TOPIC_ARN,
  TEST_CERT_PEM,
  TEST_CERT_URL,
  TEST_TOPIC_ARN,
  signSns,
  snsNotification,
  snsRequest,
  snsSubscriptionMessage,
} from '../../helpers/sns-signer.js';

/** A fetch that answers from a table and records every call (the network is the boundary here). */
function fakeFetch(answer: (url: string) => Response | Promise<Response>) {
  const calls: Array<{ url: string; redirect: string | undefined; hasSignal: boolean }> = [];
  const fn: FetchLike = async (url, init) => {
    calls.push({ url, redirect: init?.redirect, hasSignal: init?.signal instanceof AbortSignal });
    return answer(url);
  };
  return { fn, calls };
}

describe('fetching SNS certificate source', () => {
  it('fetches the certificate once per URL without following redirects, then serves it from cache', async () => {
    const net = fakeFetch(() => new Response(TEST_CERT_PEM));
    const source = createFetchingSnsCertificateSource({ fetch: net.fn });
    const adapter = createSesAdapter({ topicArns: [TEST_TOPIC_ARN], certificates: source });
    for (const body of ['first', 'second', 'third'])
      expect(await adapter.verify(snsRequest(signSns(snsNotification(body))))).toEqual({
        ok: true,
      });
    expect(net.calls).toEqual([{ url: TEST_CERT_URL, redirect: 'error', hasSignal: true }]);
  });

  it('shares one fetch between concurrent requests for the same URL', async () => {
    let release: (r: Response) => void = () => undefined;
    const net = fakeFetch(() => new Promise<Response>((resolve) => (release = resolve)));
    const source = createFetchingSnsCertificateSource({ fetch: net.fn });
    const pending = Promise.all([
      source.candidates(TEST_CERT_URL),
      source.candidates(TEST_CERT_URL),
      source.get(TEST_CERT_URL),
    ]);
    await Promise.resolve();
    release(new Response(TEST_CERT_PEM));
    const [a, b, c] = await pending;
    expect(a).toEqual([TEST_CERT_PEM.trim()]);
    expect(b).toEqual(a);
    expect(c).toBe(TEST_CERT_PEM.trim());
    expect(net.calls).toHaveLength(1);
  });

  it('validates the URL again and never fetches a URL outside SNS', async () => {
    const net = fakeFetch(() => new Response(TEST_CERT_PEM));
    const source = createFetchingSnsCertificateSource({ fetch: net.fn });
    for (const url of [
      'http://sns.us-east-1.amazonaws.com/c.pem',
      'https://sns.example.com.evil.com/c.pem',
      'https://169.254.169.254/latest.pem',
    ]) {
      expect(await source.candidates(url)).toEqual([]);
    }
    expect(net.calls).toEqual([]);
  });

  it('answers no certificate for a 404 or a body that is not a certificate, without caching it', async () => {
    let status = 404;
    const net = fakeFetch(() => new Response(status === 404 ? 'not found' : 'hello', { status }));
    const source = createFetchingSnsCertificateSource({ fetch: net.fn });
    expect(await source.candidates(TEST_CERT_URL)).toEqual([]);
    status = 200;
    expect(await source.candidates(TEST_CERT_URL)).toEqual([]);
    expect(net.calls).toHaveLength(2);
  });

  it('throws BOUNCER_ERR_UNAVAILABLE on network errors and 5xx, and retries on the next request', async () => {
    let mode: 'down' | '503' | 'up' = 'down';
    const net = fakeFetch(() => {
      if (mode === 'down') throw new TypeError('fetch failed');
      return mode === '503' ? new Response('busy', { status: 503 }) : new Response(TEST_CERT_PEM);
    });
    const source = createFetchingSnsCertificateSource({ fetch: net.fn });
    await expect(source.candidates(TEST_CERT_URL)).rejects.toMatchObject({
      code: 'BOUNCER_ERR_UNAVAILABLE',
    });
    mode = '503';
    await expect(source.candidates(TEST_CERT_URL)).rejects.toMatchObject({
      code: 'BOUNCER_ERR_UNAVAILABLE',
    });
    mode = 'up';
    expect(await source.candidates(TEST_CERT_URL)).toEqual([TEST_CERT_PEM.trim()]);
  });

  it('gives up after its timeout', async () => {
    const hanging: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new Error('aborted by timeout'))),
      );
    const source = createFetchingSnsCertificateSource({ fetch: hanging, timeoutMs: 20 });
    await expect(source.candidates(TEST_CERT_URL)).rejects.toMatchObject({
      code: 'BOUNCER_ERR_UNAVAILABLE',
    });
  });

  it('keeps at most maxEntries certificates', async () => {
    const net = fakeFetch(() => new Response(TEST_CERT_PEM));
    const source = createFetchingSnsCertificateSource({ fetch: net.fn, maxEntries: 1 });
    const other = TEST_CERT_URL.replace('0a.pem', '0b.pem');
    await source.get(TEST_CERT_URL);
    await source.get(other);
    await source.get(TEST_CERT_URL);
    expect(net.calls.map((c) => c.url)).toEqual([TEST_CERT_URL, other, TEST_CERT_URL]);
  });
});

describe('file-based SNS certificate source (BOUNCER_SNS_CERT_FILES)', () => {
  const files = [
    fileURLToPath(new URL('../../fixtures/providers/ses/test-signing-cert.pem', import.meta.url)),
    AWS_CERT_PATH,
  ];

  it.skipIf(!AWS_SIGNED)(
    'verifies messages against its certificates whatever their SigningCertURL',
    async () => {
      const adapter = createSesAdapter({
        topicArns: [TEST_TOPIC_ARN, AWS_TOPIC_ARN],
        certificates: await loadSnsCertificateFiles(files),
      });
      const elsewhere =
        'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-ffffffffffffffffffffffffffffffff.pem';
      expect(
        await adapter.verify(snsRequest(signSns(snsNotification('x'), { certUrl: elsewhere }))),
      ).toEqual({ ok: true });
      expect(await adapter.verify(snsRequest(AWS_MESSAGES[0]!, AWS_RECEIVED_AT))).toEqual({
        ok: true,
      });
    },
  );

  it.skipIf(!AWS_SIGNED)(
    'refuses a message signed by a certificate outside the files',
    async () => {
      const adapter = createSesAdapter({
        topicArns: [AWS_TOPIC_ARN],
        certificates: createStaticSnsCertificateSource([TEST_CERT_PEM]),
      });
      expect((await adapter.verify(snsRequest(AWS_MESSAGES[0]!, AWS_RECEIVED_AT))).ok).toBe(false);
    },
  );

  it.skipIf(!AWS_SIGNED)('reads several certificates from one bundle', async () => {
    const source = createStaticSnsCertificateSource([`${TEST_CERT_PEM}\n${AWS_CERT_PEM}`]);
    expect(await source.candidates(TEST_CERT_URL)).toHaveLength(2);
  });

  it('fails at startup on unreadable files or files without a certificate, naming the setting', async () => {
    await expect(loadSnsCertificateFiles(['/nonexistent/cert.pem'])).rejects.toThrow(
      /BOUNCER_SNS_CERT_FILES/,
    );
    expect(() => createStaticSnsCertificateSource(['not a certificate'])).toThrow(
      /BOUNCER_SNS_CERT_FILES/,
    );
  });
});

describe('confirmSnsSubscription', () => {
  const url = snsSubscriptionMessage('SubscriptionConfirmation').SubscribeURL!;
  const xml = `<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>${TEST_TOPIC_ARN}:c9135db0</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>`;

  it('GETs a valid SubscribeURL and returns the SubscriptionArn', async () => {
    const net = fakeFetch(() => new Response(xml));
    expect(await confirmSnsSubscription(url, net.fn)).toEqual({
      subscriptionArn: `${TEST_TOPIC_ARN}:c9135db0`,
    });
    expect(net.calls).toEqual([{ url, redirect: 'error', hasSignal: true }]);
  });

  it('refuses URLs outside SNS ConfirmSubscription without fetching them', async () => {
    const net = fakeFetch(() => new Response(xml));
    for (const bad of [
      url.replace('https:', 'http:'),
      url.replace('sns.us-east-1.amazonaws.com', 'sns.example.com.evil.com'),
      url.replace('ConfirmSubscription', 'Unsubscribe'),
      'not a url',
    ]) {
      await expect(confirmSnsSubscription(bad, net.fn)).rejects.toMatchObject({
        code: 'BOUNCER_ERR_VALIDATION',
      });
    }
    expect(net.calls).toEqual([]);
  });

  it('reports a refused confirmation as a validation error and an outage as unavailable', async () => {
    await expect(
      confirmSnsSubscription(url, fakeFetch(() => new Response('no', { status: 403 })).fn),
    ).rejects.toMatchObject({ code: 'BOUNCER_ERR_VALIDATION' });
    await expect(
      confirmSnsSubscription(
        url,
        fakeFetch(() => Promise.reject(new TypeError('fetch failed'))).fn,
      ),
    ).rejects.toMatchObject({ code: 'BOUNCER_ERR_UNAVAILABLE' });
  });
});
