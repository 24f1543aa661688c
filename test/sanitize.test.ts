import { expect } from 'chai';
import { stripOperatorKeys } from '../src/shared/http/sanitize.js';

describe('request body sanitizing', () => {
  it('drops keys that could become MongoDB operators or dotted paths, at any depth', () => {
    const body = { email: { $ne: '' }, 'role.x': 'admin', $where: '1', nested: [{ ok: 1, $gt: 2 }], __proto__: { polluted: true }, name: 'Ayşe' };
    expect(stripOperatorKeys(body)).to.deep.equal({ email: {}, nested: [{ ok: 1 }], name: 'Ayşe' });
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('lets no operator through below its depth limit either', () => {
    let deep: Record<string, unknown> = { $ne: '' };
    for (let i = 0; i < 40; i++) deep = { a: deep };
    expect(JSON.stringify(stripOperatorKeys(deep))).to.not.include('$ne');
  });

  it('leaves plain values alone', () => {
    expect(stripOperatorKeys('a$b')).to.equal('a$b');
    expect(stripOperatorKeys(['x', 1, null])).to.deep.equal(['x', 1, null]);
  });
});
