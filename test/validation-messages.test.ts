/**
 * Messages of locales/{tr,en}/validation.json that name what to do: each text length limit the
 * catalogue and documents forms use has its own message, and a password an admin sets for someone
 * else is refused in words about that user's e-mail address, not "your" address.
 */
import { expect } from 'chai';
import { passwordProblem } from '../src/features/accounts/password.js';
import { TEXT_LIMITS, tooLong } from '../src/features/catalogue/catalogue.validation.js';
import { loadResources } from '../src/shared/i18n.js';

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const message = (lang: 'tr' | 'en', key: string): unknown => {
  const [ns = '', path = ''] = key.split(':');
  let node: unknown = loadResources()[lang]?.[ns];
  for (const part of path.split('.')) node = isRecord(node) ? node[part] : undefined;
  return node;
};

describe('validation messages', () => {
  it('have a “at most N characters” message for every text limit, in both languages', () => {
    for (const max of TEXT_LIMITS) {
      expect(message('tr', tooLong(max)), `tr ${max}`).to.equal(`En fazla ${new Intl.NumberFormat('tr-TR').format(max)} karakter girin.`);
      expect(message('en', tooLong(max)), `en ${max}`).to.equal(`Enter at most ${new Intl.NumberFormat('en-GB').format(max)} characters.`);
    }
  });

  it('speak of the user’s e-mail address, not “your” address, when an admin sets someone’s password', () => {
    expect(passwordProblem('ayse.demir-2026!', 'ayse.demir@example.org')).to.equal('validation:passwordHasEmail');
    const key = passwordProblem('ayse.demir-2026!', 'ayse.demir@example.org', { forAnotherUser: true });
    expect(key).to.equal('validation:passwordHasUserEmail');
    expect(message('tr', key ?? '')).to.equal('Parola kullanıcının e-posta adresini içermemeli.');
    expect(message('en', key ?? '')).to.equal("The password must not contain the user's e-mail address.");
    expect(passwordProblem('başka bir uzun parola', 'ayse.demir@example.org', { forAnotherUser: true }), 'other passwords are unaffected').to.equal(undefined);
  });
});
