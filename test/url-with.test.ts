import { expect } from 'chai';
import { urlWith } from '../src/shared/http/views.js';

describe('urlWith (links to the same page with other query parameters)', () => {
  it('changes, keeps and drops parameters', () => {
    expect(urlWith('/models?q=kafe&page=2', { page: 3 })).to.equal('/models?q=kafe&page=3');
    expect(urlWith('/models?q=kafe&page=2', { page: undefined, lang: 'en' })).to.equal('/models?q=kafe&lang=en');
  });

  it('never produces a link to another host, whatever the requested path', () => {
    for (const raw of ['/x/..//evil.example', '//evil.example/a', '///evil.example']) {
      const link = urlWith(raw, { lang: 'en' });
      expect(link, raw).to.match(/^\/(?!\/)/);
      expect(new URL(link, 'https://registry.example').host, raw).to.equal('registry.example');
    }
  });
});
