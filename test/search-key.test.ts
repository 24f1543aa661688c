import { expect } from 'chai';
import { searchKey, searchKeyPattern } from '../src/shared/search-key.js';
import { slugify } from '../src/shared/slug.js';

describe('Turkish search key', () => {
  it('folds Turkish capitals by Turkish rules: İ→i and I→ı (then ı→i)', () => {
    expect(searchKey('İSTANBUL')).to.equal('istanbul');
    expect(searchKey('istanbul')).to.equal('istanbul');
    expect(searchKey('ISPARTA')).to.equal('isparta');
    expect(searchKey('ılgaz')).to.equal('ilgaz');
    expect(searchKey('IĞDIR')).to.equal('igdir');
  });

  it('drops the diacritics of ç ğ ö ş ü and â î û', () => {
    expect(searchKey('Çamaşır Kafe')).to.equal('camasir kafe');
    expect(searchKey('ĞÖŞÜ ğöşü')).to.equal('gosu gosu');
    expect(searchKey('Hâkim kâr Îmân Ûlûl')).to.equal('hakim kar iman ulul');
  });

  it('turns punctuation into single spaces and trims', () => {
    expect(searchKey("  Süt Senin, Gurur Mersin'in!  ")).to.equal('sut senin gurur mersin in');
    expect(searchKey('a—b…c\t\nd')).to.equal('a b c d');
    expect(searchKey('')).to.equal('');
    expect(searchKey(undefined)).to.equal('');
  });

  it('lets `camasir` find Çamaşır Kafe, and ISTANBUL / istanbul find İstanbul', () => {
    const cafe = searchKeyPattern('camasir');
    expect(cafe?.test(searchKey('Çamaşır Kafe'))).to.equal(true);
    for (const q of ['ISTANBUL', 'istanbul', 'İSTANBUL', 'ıstanbul']) {
      expect(searchKeyPattern(q)?.test(searchKey('İstanbul Büyükşehir Belediyesi')), q).to.equal(true);
    }
    expect(searchKeyPattern('ankara')?.test(searchKey('İstanbul'))).to.equal(false);
  });

  it('matches every word at a word start, in any order', () => {
    const key = searchKey('Mahalle Mutfakları gıda güvencesi');
    expect(searchKeyPattern('mutfak mahalle')?.test(key)).to.equal(true);
    expect(searchKeyPattern('utfak')?.test(key)).to.equal(false);
    expect(searchKeyPattern('   ')).to.equal(undefined);
  });

  it('escapes regular-expression characters in a query', () => {
    expect(() => searchKeyPattern('(a+)+$[')).to.not.throw();
  });
});

describe('slugify', () => {
  it('makes Turkish-aware slugs', () => {
    expect(slugify("Süt Senin, Gurur Mersin'in")).to.equal('sut-senin-gurur-mersinin');
    expect(slugify('Çamaşır Kafe')).to.equal('camasir-kafe');
    expect(slugify('Mercan 100. Yıl İklim ve Çevre Bilim Merkezi')).to.equal('mercan-100-yil-iklim-ve-cevre-bilim-merkezi');
    expect(slugify('!!!')).to.equal('model');
  });
});
