import { expect } from 'chai';
import { Municipality } from '../src/features/municipalities/municipality.model.js';
import { searchKey, searchKeyFilter } from '../src/shared/search-key.js';
import { unique } from './support/app.js';
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

});

describe('Turkish search on the database (searchKeyFilter)', () => {
  const names = ['Çamaşır Kafe', 'İstanbul Büyükşehir Belediyesi', 'Mahalle Mutfakları', 'Ilgaz Belediyesi'];
  let tag = '';
  before(async () => {
    tag = unique('k');
    await Municipality.insertMany(names.map((n) => ({ name: `${n} ${tag}`, kind: 'ilce', province: 'Mersin', region: 'Akdeniz', searchKey: searchKey(`${n} ${tag}`), identityKey: searchKey(`${n} ${tag}`) })));
  });
  const find = async (q: string) => {
    const docs = await Municipality.find({ $and: [{ searchKey: { $regex: `${tag}$` } }, searchKeyFilter('searchKey', q) ?? {}] }).lean();
    return docs.map((d) => d.name.replace(` ${tag}`, '')).sort();
  };

  it('lets `camasir` find Çamaşır Kafe', async () => {
    expect(await find('camasir')).to.deep.equal(['Çamaşır Kafe']);
    expect(await find('ÇAMAŞIR')).to.deep.equal(['Çamaşır Kafe']);
  });

  it('finds İstanbul from ISTANBUL, istanbul, İSTANBUL and ıstanbul', async () => {
    for (const q of ['ISTANBUL', 'istanbul', 'İSTANBUL', 'ıstanbul']) expect(await find(q), q).to.deep.equal(['İstanbul Büyükşehir Belediyesi']);
    expect(await find('ılgaz'), 'dotless ı folds too').to.deep.equal(['Ilgaz Belediyesi']);
  });

  it('matches every word at a word start, in any order', async () => {
    expect(await find('mutfak mahalle')).to.deep.equal(['Mahalle Mutfakları']);
    expect(await find('utfak')).to.deep.equal([]);
    expect(await find('belediyesi')).to.deep.equal(['Ilgaz Belediyesi', 'İstanbul Büyükşehir Belediyesi']);
    expect(searchKeyFilter('searchKey', '  ,; ')).to.equal(undefined);
  });

  it('treats regular-expression characters in a query as text', async () => {
    expect(await find('(a+)+$[')).to.deep.equal([]);
    expect(await find('.*')).to.deep.equal(names.slice().sort());
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
