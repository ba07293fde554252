// QoS profiles: filling in defaults, and the ROS 2 request-vs-offer compatibility rules.
import type { QoSProfile } from './types.js';
import { QoS } from './types.js';

const HISTORIES = ['keep_last', 'keep_all'];
const RELIABILITIES = ['reliable', 'best_effort'];
const DURABILITIES = ['volatile', 'transient_local'];

/** QoS.default overlaid with `qos`, validated. Throws naming `where` and the bad field. */
export function resolveQoS(where: string, qos: Partial<QoSProfile> | undefined): QoSProfile {
  const profile: QoSProfile = { ...QoS.default, ...qos };
  if (!HISTORIES.includes(profile.history)) throw new Error(`${where}: invalid QoS history "${profile.history}"`);
  if (!RELIABILITIES.includes(profile.reliability)) {
    throw new Error(`${where}: invalid QoS reliability "${profile.reliability}"`);
  }
  if (!DURABILITIES.includes(profile.durability)) {
    throw new Error(`${where}: invalid QoS durability "${profile.durability}"`);
  }
  if (profile.history === 'keep_last' && !(Number.isInteger(profile.depth) && profile.depth >= 1)) {
    throw new Error(`${where}: QoS depth must be an integer >= 1 for keep_last, got ${profile.depth}`);
  }
  return profile;
}

/**
 * Why a publisher offering `offered` cannot match a subscription requesting `requested`, or undefined if they
 * match. The offer must be at least as strong as the request: a best_effort publisher cannot serve a reliable
 * subscription, nor a volatile one a transient_local subscription.
 */
export function qosIncompatibility(offered: QoSProfile, requested: QoSProfile): string | undefined {
  const reasons: string[] = [];
  if (offered.reliability === 'best_effort' && requested.reliability === 'reliable') {
    reasons.push('the publisher is best_effort but the subscription requests reliable');
  }
  if (offered.durability === 'volatile' && requested.durability === 'transient_local') {
    reasons.push('the publisher is volatile but the subscription requests transient_local');
  }
  return reasons.length === 0 ? undefined : reasons.join('; ');
}
