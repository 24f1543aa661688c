import ipaddr from 'ipaddr.js';

/**
 * The key a client address is counted under by the request ceiling and the sign-in limits. One
 * IPv6 subscriber usually holds a whole /64, so counting single IPv6 addresses would let one client
 * spread over millions of keys: they are counted per /64. IPv4 (also IPv4-mapped IPv6) per address.
 */
export function clientAddressKey(ip: string | undefined): string {
  if (!ip || !ipaddr.isValid(ip)) return ip || 'unknown';
  const address = ipaddr.process(ip); // "::ffff:1.2.3.4" becomes 1.2.3.4
  if (address.kind() === 'ipv4') return address.toString();
  return `${address.toNormalizedString().split(':').slice(0, 4).join(':')}::/64`;
}
