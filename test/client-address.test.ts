import { expect } from 'chai';
import { clientAddressKey } from '../src/shared/http/client-address.js';

describe('client address key (limits)', () => {
  it('counts an IPv6 client per /64, so one subscriber cannot spread over many keys', () => {
    expect(clientAddressKey('2001:db8:1:2:aaaa::1')).to.equal(clientAddressKey('2001:db8:1:2:ffff:1:2:3'));
    expect(clientAddressKey('2001:db8:1:2::1')).to.equal('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:db8:1:3::1')).to.not.equal(clientAddressKey('2001:db8:1:2::1'));
  });

  it('counts IPv4 (also IPv4-mapped) per address and keeps anything else as it is', () => {
    expect(clientAddressKey('203.0.113.7')).to.equal('203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7')).to.equal('203.0.113.7');
    expect(clientAddressKey('203.0.113.8')).to.not.equal(clientAddressKey('203.0.113.7'));
    expect(clientAddressKey(undefined)).to.equal('unknown');
  });
});
