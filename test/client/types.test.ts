import { describe, expectTypeOf, it } from 'vitest';
import type * as Client from '../../src/client/index.js';
import type { Stats } from '../../src/services/reporting/stats.js';
import type { MessageTimeline } from '../../src/services/reporting/messages.js';
import type { EventJson, SuppressionEntry } from '../../src/services/suppressions/suppressions.js';

/*
 * The client keeps its own copy of the wire types (it must not import server code). These
 * checks, run by the typecheck, fail when the two drift apart.
 */
describe("the client's wire types", () => {
  it('match what the services answer', () => {
    expectTypeOf<Stats>().toEqualTypeOf<Client.Stats>();
    expectTypeOf<MessageTimeline>().toEqualTypeOf<Client.MessageTimeline>();
    expectTypeOf<EventJson>().toEqualTypeOf<Client.BouncerEvent>();
    expectTypeOf<SuppressionEntry>().toMatchTypeOf<Client.SuppressionEntry>();
  });
});
