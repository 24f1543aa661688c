import { expect } from 'chai';
import { Municipality } from '../src/features/municipalities/municipality.model.js';
import { readWorkbook, sheetRows } from './support/xlsx.js';
import { csrfFrom, signIn, unique, type Agent } from './support/app.js';
import { makeModel, makeMunicipality, makeTransfer, makeVisit } from './support/municipalities.js';
import { createTransfer } from './support/transfers.js';

/** The municipality names of a list page, in order. */
const namesOn = (html: string) => [...html.matchAll(/<th scope="row"><a href="\/municipalities\/[0-9a-f]{24}">([^<]+)<\/a>/g)].map((m) => decode(m[1] ?? ''));
const decode = (s: string) => s.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Every page of a list (following rel="next"). */
async function allPages(agent: Agent, url: string): Promise<string[]> {
  const names: string[] = [];
  let next: string | undefined = url;
  for (let i = 0; next && i < 50; i++) {
    const res = await agent.get(next);
    expect(res.status, next).to.equal(200);
    names.push(...namesOn(res.text));
    const m = /<a href="([^"]+)" rel="next">/.exec(res.text);
    next = m?.[1] ? decode(m[1]) : undefined;
  }
  return names;
}

function parseCsv(body: Buffer): string[][] {
  const text = body.toString('utf8');
  expect(body[0]).to.equal(0xef); // BOM
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ';') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r') continue;
    else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const binary = (res: { on: (e: string, cb: (chunk?: Buffer) => void) => void }, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c?: Buffer) => c && chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('municipalities', function () {
  this.timeout(60_000);
  let office: Agent;
  before(async () => {
    ({ agent: office } = await signIn('office'));
  });

  describe('the list', () => {
    const tag = unique('q');
    let uskudar: string;
    before(async () => {
      const m = await makeMunicipality(`Üsküdar ${tag} Belediyesi`, { province: 'İstanbul' });
      uskudar = String(m._id);
      await makeMunicipality(`Bayraklı ${tag} Belediyesi`, { province: 'İzmir' });
      await makeMunicipality(`Çiğli ${tag} Belediyesi`, { province: 'İzmir' });
      await makeVisit([m._id], new Date('2026-03-02'));
    });

    it('finds names without Turkish letters or in capitals (uskudar, BAYRAKLI), among all municipalities', async () => {
      const a = await office.get(`/municipalities?all=1&q=${encodeURIComponent(`uskudar ${tag}`)}`);
      expect(namesOn(a.text)).to.deep.equal([`Üsküdar ${tag} Belediyesi`]);
      const b = await office.get(`/municipalities?all=1&q=${encodeURIComponent(`BAYRAKLI ${tag}`)}`);
      expect(namesOn(b.text)).to.deep.equal([`Bayraklı ${tag} Belediyesi`]);
    });

    it('shows only the municipalities the office worked with by default; one link shows all', async () => {
      const res = await office.get(`/municipalities?q=${tag}`);
      expect(namesOn(res.text)).to.deep.equal([`Üsküdar ${tag} Belediyesi`]);
      expect(res.text).to.include(`href="/municipalities?q=${tag}&amp;all=1"`);
      const all = await office.get(`/municipalities?q=${tag}&all=1`);
      expect(namesOn(all.text)).to.have.length(3);
    });

    it('filters by province, region, kind and visited, and keeps the state in the URL', async () => {
      const izmir = await office.get(`/municipalities?all=1&q=${tag}&province=${encodeURIComponent('İzmir')}`);
      expect(namesOn(izmir.text)).to.deep.equal([`Bayraklı ${tag} Belediyesi`, `Çiğli ${tag} Belediyesi`]);
      expect(izmir.text).to.match(/<option selected>İzmir<\/option>/);
      const marmara = await office.get(`/municipalities?all=1&q=${tag}&region=Marmara`);
      expect(namesOn(marmara.text)).to.deep.equal([`Üsküdar ${tag} Belediyesi`]);
      const notVisited = await office.get(`/municipalities?all=1&q=${tag}&visited=no`);
      expect(namesOn(notVisited.text)).to.deep.equal([`Bayraklı ${tag} Belediyesi`, `Çiğli ${tag} Belediyesi`]);
      const belde = await office.get(`/municipalities?all=1&q=${tag}&kind=belde`);
      expect(namesOn(belde.text)).to.deep.equal([]);
      expect(uskudar).to.match(/^[0-9a-f]{24}$/);
    });

    it('filters by transfers and their stage, also on the first request after a write', async () => {
      const t = unique('tr');
      const a = await makeMunicipality(`Alpha ${t} Belediyesi`);
      const b = await makeMunicipality(`Beta ${t} Belediyesi`);
      const model = await makeModel();
      expect(namesOn((await office.get(`/municipalities?all=1&q=${t}&transfers=yes`)).text)).to.deep.equal([]);
      await makeTransfer(model._id, a._id, 'agreement');
      await makeTransfer((await makeModel())._id, b._id, 'interest');
      expect(namesOn((await office.get(`/municipalities?all=1&q=${t}&transfers=yes`)).text)).to.deep.equal([`Alpha ${t} Belediyesi`, `Beta ${t} Belediyesi`]);
      expect(namesOn((await office.get(`/municipalities?all=1&q=${t}&stage=agreement`)).text)).to.deep.equal([`Alpha ${t} Belediyesi`]);
      expect(namesOn((await office.get(`/municipalities?q=${t}&transfers=no&all=1`)).text)).to.deep.equal([]);
    });

    it('sorts in Turkish alphabetical order (c ç d, ı i, o ö, s ş, u ü)', async () => {
      const t = unique('o');
      const words = ['Ulus', 'Çay', 'Irmak', 'Dere', 'Şile', 'Ova', 'İnce', 'Sahil', 'Cami', 'Üzüm', 'Ödemiş'];
      for (const w of words) await makeMunicipality(`${t} ${w} Belediyesi`);
      const names = namesOn((await office.get(`/municipalities?all=1&q=${t}`)).text).map((n) => n.split(' ')[1]);
      expect(names).to.deep.equal(['Cami', 'Çay', 'Dere', 'Irmak', 'İnce', 'Ova', 'Ödemiş', 'Sahil', 'Şile', 'Ulus', 'Üzüm']);
    });
  });

  describe('exports', () => {
    const tag = unique('x');
    before(async () => {
      for (let i = 0; i < 27; i++) await makeMunicipality(`${tag} Güzelçamlı ${String(i).padStart(2, '0')} Belediyesi`, { province: 'Aydın' });
      await makeMunicipality(`=HYPERLINK("http://evil") ${tag} Belediyesi`, { province: 'Aydın' });
      await makeMunicipality(`${tag} Başka Belediyesi`, { province: 'Muğla' });
    });

    it('CSV and XLSX hold the same rows as every page of the list, Turkish letters intact, formulas neutralised', async () => {
      const query = `all=1&q=${tag}&province=${encodeURIComponent('Aydın')}`;
      const pageNames = await allPages(office, `/municipalities?${query}`);
      expect(pageNames).to.have.length(28); // more than one page
      const csv = await office.get(`/municipalities/export?${query}&format=csv`).buffer(true).parse(binary);
      expect(csv.status).to.equal(200);
      expect(String(csv.headers['content-type'])).to.include('text/csv');
      const rows = parseCsv(csv.body as Buffer);
      expect(rows[0]?.slice(0, 4)).to.deep.equal(['Belediye', 'Tür', 'İl', 'Bölge']);
      const csvNames = rows.slice(1).map((r) => r[0]);
      expect(csvNames.map((n) => n?.replace(/^'/, ''))).to.deep.equal(pageNames);
      expect(csvNames).to.include(`'=HYPERLINK("http://evil") ${tag} Belediyesi`);
      expect(rows[1]?.[2]).to.equal('Aydın');
      expect(rows[1]?.[3]).to.equal('Ege');

      const xlsx = await office.get(`/municipalities/export?${query}&format=xlsx`).buffer(true).parse(binary);
      expect(xlsx.status).to.equal(200);
      const book = await readWorkbook(xlsx.body as Buffer);
      const sheet = sheetRows(book.worksheets[0]);
      expect(sheet[0]?.slice(0, 3)).to.deep.equal(['Belediye', 'Tür', 'İl']);
      expect(sheet.slice(1).map((r) => r[0])).to.deep.equal(pageNames);
      expect(sheet[1]?.[1]).to.equal('İlçe belediyesi');
    });

    it('English headers in the English UI', async () => {
      const { agent: english } = await signIn('office'); // ?lang=en sticks to the session's language
      const csv = await english.get(`/municipalities/export?all=1&q=${tag}&format=csv&lang=en`).buffer(true).parse(binary);
      const text = (csv.body as Buffer).toString('utf8');
      expect(text.split('\r\n')[0]).to.equal('\uFEFFMunicipality,Kind,Province,Region,Metropolitan municipality,Visits,Last visit,Transfers,Transfer stages');
    });
  });

  describe('a profile', () => {
    it('shows contacts, internal notes, transfers and one timeline, newest first', async () => {
      const t = unique('p');
      const m = await makeMunicipality(`Karşıyaka ${t} Belediyesi`, { notes: 'İç not: bütçe Mart ayında.', contacts: [{ name: 'Şule Öztürk', title: 'Müdür', email: 'sule@example.org', phone: '+90 232 000 00 00' }] });
      const model = await makeModel(`Gıda Bankası ${t}`);
      await makeVisit([m._id], new Date('2026-01-10'), 'İlk ziyaret özeti');
      await makeTransfer(model._id, m._id, 'assessment', [
        { at: new Date('2026-02-01'), to: 'interest' },
        { at: new Date('2026-04-01'), from: 'interest', to: 'assessment' },
      ], [{ at: new Date('2026-03-15'), text: 'Bütçe onayı bekleniyor' }]);
      const res = await office.get(`/municipalities/${String(m._id)}`);
      expect(res.status).to.equal(200);
      expect(res.text).to.include('Şule Öztürk').and.include('sule@example.org').and.include('İç not: bütçe Mart ayında.');
      expect(res.text).to.include(`Gıda Bankası ${t}`);
      const order = ['Bütçe onayı bekleniyor', 'İlk ziyaret özeti'].map((s) => res.text.indexOf(s));
      const stage = res.text.indexOf('timeline-stage');
      expect(stage).to.be.greaterThan(0);
      expect(stage).to.be.lessThan(order[0] ?? 0); // April stage change first
      expect(order[0]).to.be.lessThan(order[1] ?? 0); // then the March comment, then the January visit
      expect(res.text).to.include('href="/visits/');
    });

    it('office edits the profile and contacts; a stale form is a 409', async () => {
      const m = await makeMunicipality(`Menemen ${unique('e')} Belediyesi`);
      const form = await office.get(`/municipalities/${String(m._id)}/edit`);
      expect(form.status).to.equal(200);
      const body = {
        _csrf: csrfFrom(form.text),
        version: '0',
        name: m.name,
        kind: 'ilce',
        province: 'İzmir',
        notes: 'Yeni not',
        'contacts[0][name]': 'Ali Çınar',
        'contacts[0][email]': 'ali@example.org',
        'contacts[1][name]': '',
      };
      const saved = await office.post(`/municipalities/${String(m._id)}`).type('form').send(body);
      expect(saved.status).to.equal(303);
      const after = await Municipality.findById(m._id).lean();
      expect(after?.contacts.map((c) => c.name)).to.deep.equal(['Ali Çınar']);
      expect(after?.notes).to.equal('Yeni not');
      const stale = await office.post(`/municipalities/${String(m._id)}`).type('form').send({ ...body, notes: 'Eski formdan' });
      expect(stale.status).to.equal(409);
      expect((await Municipality.findById(m._id).lean())?.notes).to.equal('Yeni not');
      const invalid = await office.post(`/municipalities/${String(m._id)}`).type('form').send({ ...body, version: '1', 'contacts[0][email]': 'not-an-email' });
      expect(invalid.status).to.equal(422);
      expect(invalid.text).to.include('aria-invalid="true"');
    });
  });

  describe('renaming', () => {
    it('finds the municipality\'s transfers under its new name (their stored search key follows)', async () => {
      const m = await makeMunicipality(`Karşıyaka ${unique('r')} Belediyesi`);
      const model = await makeModel();
      const transfer = await makeTransfer(model._id, m._id, 'assessment', [{ at: new Date(), to: 'interest' }]);
      const form = await office.get(`/municipalities/${String(m._id)}/edit`);
      const renamed = `Yenişehir ${unique('n')} Belediyesi`;
      const saved = await office.post(`/municipalities/${String(m._id)}`).type('form').send({ _csrf: csrfFrom(form.text), version: '0', name: renamed, kind: 'ilce', province: 'İzmir' });
      expect(saved.status).to.equal(303);
      const list = await office.get(`/transfers?q=${encodeURIComponent(renamed)}`);
      expect(list.status).to.equal(200);
      expect(list.text, 'the transfer is listed').to.include(`href="/transfers/${String(transfer._id)}"`);
    });
  });

  describe('adding by hand', () => {
    it('adds a belde municipality; the same name in the same province leads to the existing record', async () => {
      const name = `Çardak ${unique('b')} Belediyesi`;
      const form = await office.get('/municipalities/new');
      const csrf = csrfFrom(form.text);
      const first = await office.post('/municipalities').type('form').send({ _csrf: csrf, name, kind: 'belde', province: 'Çanakkale' });
      expect(first.status).to.equal(303);
      const again = await office.post('/municipalities').type('form').send({ _csrf: csrf, name: name.toLocaleUpperCase('tr-TR'), kind: 'belde', province: 'Çanakkale' });
      expect(again.status).to.equal(303);
      expect(again.headers.location).to.equal(first.headers.location);
      const page = await office.get(String(again.headers.location));
      expect(page.text).to.include('zaten kayıtlı');
      expect(await Municipality.countDocuments({ name: { $in: [name, name.toLocaleUpperCase('tr-TR')] } })).to.equal(1);
    });

    it('a district of a metropolitan province gets its metropolitan municipality as parent', async () => {
      const metro = await Municipality.findOne({ name: 'Mersin Büyükşehir Belediyesi', province: 'Mersin' }).lean();
      const parent = metro ?? (await makeMunicipality('Mersin Büyükşehir Belediyesi', { province: 'Mersin', kind: 'buyuksehir' }));
      const form = await office.get('/municipalities/new');
      const res = await office.post('/municipalities').type('form').send({ _csrf: csrfFrom(form.text), name: `Yeni ${unique('d')} Belediyesi`, kind: 'ilce', province: 'Mersin' });
      expect(res.status).to.equal(303);
      const id = String(res.headers.location).split('/').pop();
      expect(String((await Municipality.findById(id).lean())?.parent)).to.equal(String(parent._id));
    });

    it('refuses an invalid form with field messages (422)', async () => {
      const form = await office.get('/municipalities/new');
      const res = await office.post('/municipalities').type('form').send({ _csrf: csrfFrom(form.text), name: '', kind: 'belde', province: 'İstanbul' });
      expect(res.status).to.equal(422);
      expect(res.text).to.include('Bu alan zorunludur.').and.include('Büyükşehir illerinde belde belediyesi yoktur.');
    });
  });

  describe('a municipality user (KVKK)', () => {
    it('is taken to its own page, sees its contacts but not the internal notes, and gets 404 for any other municipality', async () => {
      const own = await makeMunicipality(`Bornova ${unique('k')} Belediyesi`, { notes: 'GİZLİ İÇ NOT', contacts: [{ name: 'Deniz Kaya', phone: '+90 232 111 11 11' }] });
      const other = await makeMunicipality(`Buca ${unique('k')} Belediyesi`, { contacts: [{ name: 'Başka Kişi' }] });
      const { agent } = await signIn('municipality', { municipalityId: String(own._id) });
      const list = await agent.get('/municipalities');
      expect(list.status).to.equal(303);
      expect(list.headers.location).to.equal(`/municipalities/${String(own._id)}`);
      const page = await agent.get(`/municipalities/${String(own._id)}`);
      expect(page.status).to.equal(200);
      expect(page.text).to.include('Deniz Kaya').and.include('Belediyemiz');
      expect(page.text).to.not.include('GİZLİ İÇ NOT');
      const theirs = await agent.get(`/municipalities/${String(other._id)}`);
      expect(theirs.status).to.equal(404);
      expect(theirs.text).to.not.include('Başka Kişi');
      expect((await agent.get(`/municipalities/${String(own._id)}/edit`)).status).to.equal(403);
      expect((await agent.get('/municipalities/export?format=csv')).status).to.equal(403);
    });

    it("sees the office's shared comments in its own timeline, never the internal ones (the office sees both)", async () => {
      const t = await createTransfer({ status: 'assessment', comments: [{ at: new Date(), text: 'İÇ-NOT-bütçe belirsiz' }, { at: new Date(), text: 'PAYLAŞILAN-protokol taslağı hazır', internal: false }] });
      const { agent } = await signIn('municipality', { municipalityId: String(t.municipalityId) });
      const own = await agent.get(`/municipalities/${String(t.municipalityId)}`);
      expect(own.status).to.equal(200);
      expect(own.text).to.include('PAYLAŞILAN-protokol');
      expect(own.text).not.to.include('İÇ-NOT');
      const { agent: office } = await signIn('office');
      const staff = await office.get(`/municipalities/${String(t.municipalityId)}`);
      expect(staff.text).to.include('PAYLAŞILAN-protokol').and.include('İÇ-NOT');
    });

    it('finds no link on its own page that it would be refused (its metropolitan municipality is named, not linked)', async () => {
      const metro = await makeMunicipality(`Metropol ${unique('p')} Büyükşehir Belediyesi`, { kind: 'buyuksehir' });
      const own = await makeMunicipality(`Karabağlar ${unique('p')} Belediyesi`);
      await Municipality.updateOne({ _id: own._id }, { $set: { parent: metro._id } });
      const { agent } = await signIn('municipality', { municipalityId: String(own._id) });
      const page = await agent.get(`/municipalities/${String(own._id)}`);
      expect(page.text).to.include(metro.name);
      const links = [...page.text.matchAll(/href="(\/[^"#]*)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));
      for (const href of new Set(links)) {
        const res = await agent.get(href);
        expect(res.status, href).to.be.oneOf([200, 303]);
      }
    });
  });
});
