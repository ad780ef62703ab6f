import type { Channel } from './address.js';
import { keyedAddress } from './address-hash.js';
import type { NormalisedEvent } from './events.js';

/** What stands in for the recipient's address in texts kept under BOUNCER_PRIVACY_MODE=hashed. */
export const REDACTED_ADDRESS = '<recipient>';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` with every occurrence of the address (any case) replaced by REDACTED_ADDRESS. */
export function redactAddress(text: string, address: string): string {
  if (address === '') return text;
  return text.replace(new RegExp(escapeRegExp(address), 'gi'), REDACTED_ADDRESS);
}

/** Details with the address redacted in every string (they are small, JSON-serialisable). */
function redactDetails(details: Record<string, unknown>, address: string): Record<string, unknown> {
  return JSON.parse(JSON.stringify(details), (_k, v: unknown) =>
    typeof v === 'string' ? redactAddress(v, address) : v,
  ) as Record<string, unknown>;
}

/**
 * The event as hashed mode stores it: the keyed hash instead of the address, the address gone
 * from its diagnostic and details. The policy has already been given the plain address where it
 * needs one (the allowlist), so the suppression rows it writes carry the hash too.
 */
export function hashedEvent(pepper: string, event: NormalisedEvent): NormalisedEvent {
  return {
    ...event,
    address: keyedAddress(pepper, event.channel, event.address),
    diagnostic: event.diagnostic === null ? null : redactAddress(event.diagnostic, event.address),
    details: redactDetails(event.details, event.address),
  };
}

/** The stored form of an address under a privacy mode. */
export function storedAddress(
  privacy: { mode: 'plain' | 'hashed'; pepper: string | null },
  channel: Channel,
  address: string,
): string {
  return privacy.mode === 'hashed' && privacy.pepper !== null
    ? keyedAddress(privacy.pepper, channel, address)
    : address;
}
