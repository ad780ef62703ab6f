import { describe, expect, it } from 'vitest';
import { createSesAdapter } from '../../../src/providers/ses/ses.adapter.js';
import type { ProviderEndpoint } from '../../../src/providers/types.js';
import {
  createStaticSnsCertificateSource,
  type FetchLike,
} from '../../../src/services/ingest/sns-certificates.js';
import { createSnsHandshakeHandler } from '../../../src/services/ingest/sns-handshake.js';
import {
  TEST_CERT_PEM,
  TEST_TOPIC_ARN,
  signSns,
  snsRequest,
  snsSubscriptionMessage,
} from '../../helpers/sns-signer.js';

const adapter = createSesAdapter({
  topicArns: [TEST_TOPIC_ARN],
  certificates: createStaticSnsCertificateSource([TEST_CERT_PEM]),
});
const endpoint: ProviderEndpoint = {
  id: 'ses',
  path: '/webhooks/ses',
  adapter,
  auth: 'adapter',
  bodyLimit: 'batch',
  reply: 'standard',
};
const ctx = { defaultPhoneRegion: 'US' };

function recorder() {
  const logged: string[] = [];
  const fetched: string[] = [];
  const fetch: FetchLike = async (url) => {
    fetched.push(url);
    return new Response(
      `<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>${TEST_TOPIC_ARN}:sub-1</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>`,
    );
  };
  return {
    logged,
    fetched,
    handler: createSnsHandshakeHandler({
      logger: {
        info: (_o, msg) => logged.push(msg),
        warn: (_o, msg) => logged.push(`warn: ${msg}`),
      },
      fetch,
    }),
  };
}

function actionOf(type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation') {
  const result = adapter.parse(snsRequest(signSns(snsSubscriptionMessage(type))), ctx);
  if (result.kind !== 'handshake') throw new Error(`expected a handshake, got ${result.kind}`);
  return result.action;
}

describe('SNS handshake handler', () => {
  it('confirms a verified SubscriptionConfirmation by visiting its SubscribeURL', async () => {
    const r = recorder();
    const note = await r.handler(actionOf('SubscriptionConfirmation'), endpoint);
    expect(r.fetched).toEqual([snsSubscriptionMessage('SubscriptionConfirmation').SubscribeURL]);
    expect(note).toBe(`confirmed SNS subscription to ${TEST_TOPIC_ARN} (${TEST_TOPIC_ARN}:sub-1)`);
    expect(r.logged).toEqual([note]);
  });

  it('only logs an UnsubscribeConfirmation and fetches nothing', async () => {
    const r = recorder();
    const note = await r.handler(actionOf('UnsubscribeConfirmation'), endpoint);
    expect(note).toBe(`SNS subscription to ${TEST_TOPIC_ARN} was deactivated`);
    expect(r.fetched).toEqual([]);
  });

  it('refuses to visit a SubscribeURL outside SNS even if asked directly', async () => {
    const r = recorder();
    const action = {
      type: 'confirm-subscription' as const,
      subscribeUrl: 'https://evil.example/?Action=ConfirmSubscription',
      topicArn: TEST_TOPIC_ARN,
    };
    await expect(r.handler(action, endpoint)).rejects.toMatchObject({
      code: 'BOUNCER_ERR_VALIDATION',
    });
    expect(r.fetched).toEqual([]);
  });
});
