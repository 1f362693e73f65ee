/**
 * The geo rule: per destination country and per channel, in the spirit of Twilio's Geo
 * Permissions. Allow-list mode refuses every country not listed; otherwise the configured block
 * list and the shipped high-risk tier refuse their countries. Voice is built stricter than SMS.
 */
import type { Finding, SendFacts, StaticPolicy } from '../engine/types';

export const GEO_RULE = 'geo';

export function checkGeo(facts: SendFacts, policy: StaticPolicy): Finding | undefined {
  const channelPolicy = policy.geo[facts.channel];
  const country = facts.number.country;
  if (country === undefined) {
    if (!channelPolicy.blockNonGeographic) return undefined;
    return block(`+${facts.number.callingCode} numbers belong to no country and are not allowed for ${facts.channel}`);
  }
  const blockSource = channelPolicy.blocked.get(country);
  if (blockSource !== undefined) {
    return block(`${facts.channel} to ${country} is blocked (${blockSource})`);
  }
  if (channelPolicy.allowOnly !== undefined && !channelPolicy.allowOnly.has(country)) {
    return block(`${facts.channel} to ${country} is not in ${channelPolicy.allowOnlySecret ?? 'the allowed countries'}`);
  }
  return undefined;
}

function block(reason: string): Finding {
  return { rule: GEO_RULE, effect: 'block', reason };
}
