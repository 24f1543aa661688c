import { expect } from 'chai';
import { ConfigError, loadConfig } from '../src/shared/config.js';

describe('configuration', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.port).to.equal(3000);
    expect(c.demoData).to.equal(true);
    expect(c.mongodbUri).to.equal(undefined);
    expect(c.dataDir).to.match(/\/data$/);
    expect(c.sessionIdleMs).to.equal(2 * 3600_000);
    expect(c.sessionMaxMs).to.equal(12 * 3600_000);
    expect(c.uploadMaxBytes).to.equal(20 * 1024 * 1024);
    expect(c.requestsPerMinute).to.equal(600);
  });

  it('loads the demo office by default only outside production', () => {
    const secret = 'x'.repeat(40);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret }).demoData).to.equal(false);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret, DEMO_DATA: 'true' }).demoData).to.equal(true);
    expect(loadConfig({ DEMO_DATA: 'false' }).demoData).to.equal(false);
  });

  it('names the variable and what is expected on a bad value', () => {
    expect(() => loadConfig({ PORT: 'abc' })).to.throw(ConfigError, /^Invalid PORT \("abc"\): expected a whole number/);
    expect(() => loadConfig({ MONGODB_URI: 'http://x' })).to.throw(ConfigError, /Invalid MONGODB_URI/);
    expect(() => loadConfig({ DEMO_DATA: 'maybe' })).to.throw(ConfigError, /Invalid DEMO_DATA/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).to.throw(ConfigError, /Invalid LOG_LEVEL/);
    expect(() => loadConfig({ NODE_ENV: 'staging' })).to.throw(ConfigError, /Invalid NODE_ENV/);
  });

  it('requires a strong SESSION_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).to.throw(ConfigError, /SESSION_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'short' })).to.throw(ConfigError, /SESSION_SECRET/);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) }).isProduction).to.equal(true);
  });

  it('reads TRUST_PROXY as a boolean, hop count or address list', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).to.equal(true);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).to.equal(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).to.equal('loopback, 10.0.0.0/8');
    expect(loadConfig({}).trustProxy).to.equal(false);
  });
});
