import { expect } from 'chai';
import { createTransfer } from './support/transfers.js';
import supertest from 'supertest';
import { AuditEvent } from '../src/features/audit/audit.model.js';
import { ServiceModel } from '../src/features/catalogue/model.model.js';
import { refreshAdoption } from '../src/features/catalogue/catalogue.service.js';
import { formatDecimal, parseDecimal } from '../src/features/catalogue/catalogue.validation.js';
import { Transfer } from '../src/features/transfers/transfer.model.js';
import { slugify } from '../src/shared/slug.js';
import { csrfFrom, signIn, signInAs, createUser, createMunicipality, testApp, unique, type Agent } from './support/app.js';

type ModelSeed = Partial<{
  title: string;
  summary: string;
  status: 'draft' | 'published' | 'archived';
  themes: string[];
  approaches: string[];
  targetGroups: string[];
  difficulty: 'low' | 'medium' | 'high';
  operational: number;
  steps: { title: string; typicalWeeks?: number }[];
  description: string;
}>;

/** A model straight in the database (the save hook computes its search keys). */
async function makeModel(seed: ModelSeed = {}) {
  const title = seed.title ?? `Model ${unique()}`;
  return ServiceModel.create({
    title,
    slug: `${slugify(title)}-${unique().toLowerCase()}`,
    summary: seed.summary ?? 'Bir hizmet modeli.',
    description: seed.description ?? '',
    status: seed.status ?? 'published',
    publishedAt: new Date(),
    themes: seed.themes ?? [],
    approaches: seed.approaches ?? [],
    targetGroups: seed.targetGroups ?? [],
    difficulty: seed.difficulty,
    steps: seed.steps ?? [],
    adoption: { operational: seed.operational ?? 0, inProgress: 0 },
  });
}

const anon = async () => supertest(await testApp());

/** The slugs of the model cards on a catalogue page. */
const cardSlugs = (html: string) => [...html.matchAll(/<h3><a href="\/models\/([^"]+)"/g)].map((m) => m[1]);
const totalOf = (html: string) => {
  const m = /data-total="(\d+)"/.exec(html);
  if (!m) throw new Error('no result total on the page');
  return Number(m[1]);
};
const decode = (s: string) => s.replace(/&#34;|&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Every facet link on a page: its URL, the count it shows, and whether it is the chosen value. */
function facetLinks(html: string) {
  return [...html.matchAll(/<a href="([^"]+)" class="facet-link( is-selected)?" data-facet="([^"]+)" data-value="([^"]+)" data-count="(\d+)"/g)].map((m) => ({
    href: decode(m[1] ?? ''),
    selected: !!m[2],
    facet: m[3],
    value: m[4],
    count: Number(m[5]),
  }));
}

describe('catalogue: search', () => {
  it('finds Çamaşır Kafe with `camasir` and İstanbul with İSTANBUL, istanbul and ıstanbul', async () => {
    const marker = unique('k');
    const cafe = await makeModel({ title: `Çamaşır Kafe ${marker}`, summary: 'Mahallede ortak çamaşırhane ve buluşma yeri.' });
    const city = await makeModel({ title: `Kent Sofrası ${marker}`, summary: 'İstanbul’daki gönüllülerle kurulan dayanışma mutfağı.' });
    const other = await makeModel({ title: `Başka Model ${marker}`, summary: 'Hiçbir şehir adı geçmiyor.' });
    const app = await anon();

    const cafeRes = await app.get('/models').query({ q: 'camasir' });
    expect(cafeRes.status).to.equal(200);
    expect(cardSlugs(cafeRes.text)).to.include(cafe.slug);

    for (const q of ['İSTANBUL', 'istanbul', 'ıstanbul']) {
      const res = await app.get('/models').query({ q: `${q} ${marker}` });
      const slugs = cardSlugs(res.text);
      expect(slugs, q).to.include(city.slug);
      expect(slugs, q).to.not.include(other.slug);
      expect(totalOf(res.text), q).to.equal(1);
    }
  });

  it('searches theme and target-group labels in both languages, and never shows drafts to the public', async () => {
    const marker = unique('k');
    const women = await makeModel({ title: `Atölye ${marker}`, targetGroups: ['kadinlar'], themes: ['kadin-istihdami'] });
    const draft = await makeModel({ title: `Taslak Atölye ${marker}`, targetGroups: ['kadinlar'], status: 'draft' });
    const app = await anon();
    for (const q of ['kadınlar', 'women', 'KADIN ISTIHDAMI', 'employment']) {
      const res = await app.get('/models').query({ q: `${q} ${marker}` });
      expect(cardSlugs(res.text), q).to.deep.equal([women.slug]);
    }
    const { agent } = await signIn('office');
    const staff = await agent.get('/models').query({ q: marker });
    expect(cardSlugs(staff.text)).to.have.members([women.slug, draft.slug]);
    const onlyDrafts = await agent.get('/models').query({ q: marker, status: 'draft' });
    expect(cardSlugs(onlyDrafts.text)).to.deep.equal([draft.slug]);
    expect(onlyDrafts.text).to.include('Taslak');
  });

  it('sorts by title, by most adopted and by newest, 12 to a page, with the state in the URL', async () => {
    const marker = unique('s');
    const made = [];
    for (let i = 0; i < 14; i++) made.push(await makeModel({ title: `${String.fromCharCode(65 + i)} Sıralama ${marker}`, operational: i % 5 }));
    const app = await anon();
    const page1 = await app.get('/models').query({ q: marker });
    expect(totalOf(page1.text)).to.equal(14);
    expect(cardSlugs(page1.text)).to.have.length(12);
    expect(cardSlugs(page1.text)[0]).to.equal(made[0]?.slug);
    expect(page1.text).to.match(/href="\/models\?q=[^"]*&amp;page=2" rel="next"/);
    const page2 = await app.get('/models').query({ q: marker, page: 2 });
    expect(cardSlugs(page2.text)).to.deep.equal([made[12]?.slug, made[13]?.slug]);

    const adopted = await app.get('/models').query({ q: marker, sort: 'adopted' });
    expect(cardSlugs(adopted.text).slice(0, 3)).to.deep.equal([made[4]?.slug, made[9]?.slug, made[3]?.slug]);
    expect(adopted.text).to.include('<option value="adopted" selected>');

    const newest = await app.get('/models').query({ q: marker, sort: 'newest' });
    expect(cardSlugs(newest.text)[0]).to.equal(made[13]?.slug);
  });
});

describe('catalogue: facets', () => {
  it('shows counts that equal the results each facet value gives when clicked', async () => {
    const marker = unique('f');
    const seeds: ModelSeed[] = [
      { themes: ['egitim', 'kadin'], approaches: ['ev-mahalle'], targetGroups: ['kadinlar'], difficulty: 'low', operational: 2 },
      { themes: ['egitim'], approaches: ['ev-mahalle', 'herkes-icin'], targetGroups: ['cocuklar'], difficulty: 'medium' },
      { themes: ['kadin'], approaches: ['herkes-icin'], targetGroups: ['kadinlar', 'yaslilar'], difficulty: 'low', operational: 1 },
      { themes: ['cevre'], approaches: ['dogumdan-olume'], targetGroups: ['herkes'], difficulty: 'high' },
      { themes: ['egitim', 'cevre'], approaches: ['ev-mahalle'], targetGroups: ['cocuklar'], difficulty: 'high', operational: 3 },
      { themes: ['egitim'], approaches: ['ev-mahalle'], targetGroups: ['cocuklar'], status: 'draft' },
    ];
    for (const [i, seed] of seeds.entries()) await makeModel({ ...seed, title: `Faset ${i} ${marker}` });
    const app = await anon();

    // A starting point with one facet chosen, so that the other facets' counts must respect it.
    for (const start of [`/models?q=${marker}`, `/models?q=${marker}&theme=egitim`, `/models?q=${marker}&approach=ev-mahalle&running=1`]) {
      const page = await app.get(start);
      const links = facetLinks(page.text);
      expect(links.length, start).to.be.greaterThan(5);
      for (const link of links) {
        const res = await app.get(link.href);
        expect(res.status).to.equal(200);
        if (link.selected) {
          // The chosen value's link clears it; its count is what the page already shows.
          expect(link.count, `${start} ${link.facet}=${link.value} (chosen)`).to.equal(totalOf(page.text));
        } else {
          expect(totalOf(res.text), `${start} → ${link.facet}=${link.value}`).to.equal(link.count);
          expect(cardSlugs(res.text), 'the cards agree with the total').to.have.length(link.count);
        }
      }
    }

    const themed = await app.get(`/models?q=${marker}&theme=egitim`);
    const byKey = new Map(facetLinks(themed.text).map((l) => [`${l.facet}=${l.value}`, l.count]));
    expect(byKey.get('theme=egitim')).to.equal(3);
    expect(byKey.get('theme=kadin'), 'other themes are counted without the theme filter').to.equal(2);
    expect(byKey.get('approach=ev-mahalle')).to.equal(3);
    expect(byKey.get('group=cocuklar')).to.equal(2);
    expect(byKey.get('running=1')).to.equal(2);
    expect(byKey.has('status=draft'), 'the public gets no status facet').to.equal(false);
  });

  it('offers to clear the filters when nothing matches', async () => {
    const app = await anon();
    const res = await app.get('/models').query({ q: `yokboylebirsey${unique()}`, theme: 'egitim' });
    expect(res.status).to.equal(200);
    expect(totalOf(res.text)).to.equal(0);
    expect(res.text).to.include('Bu ölçütlere uyan bir model yok');
    expect(res.text).to.include('href="/models">Tüm süzgeçleri temizle');
  });

  it('offers the wider searches that do have results', async () => {
    const marker = unique('e');
    await makeModel({ title: `Sanat Atölyesi ${marker}`, themes: ['kultur-sanat'] });
    const res = await (await anon()).get('/models').query({ q: marker, theme: 'tarim' });
    expect(totalOf(res.text)).to.equal(0);
    expect(res.text).to.include(`href="/models?q=${marker}">Yalnızca “${marker}” için ara (1)</a>`);
  });
});

/** The edit form's hidden fields plus every named input, as a form body. */
function formBody(html: string): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = {};
  const add = (name: string, value: string) => {
    const prev = body[name];
    if (prev === undefined) body[name] = value;
    else body[name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  };
  const form = html.slice(html.indexOf('class="form model-form"'), html.indexOf('</form>', html.indexOf('class="form model-form"')));
  for (const m of form.matchAll(/<input ([^>]*)>/g)) {
    const attrs = m[1] ?? '';
    const name = /name="([^"]+)"/.exec(attrs)?.[1];
    const value = decode(/value="([^"]*)"/.exec(attrs)?.[1] ?? '');
    if (!name) continue;
    if (/type="checkbox"/.test(attrs) && !/ checked/.test(attrs)) continue;
    add(decode(name), value);
  }
  for (const m of form.matchAll(/<textarea [^>]*name="([^"]+)"[^>]*>([^<]*)<\/textarea>/g)) add(decode(m[1] ?? ''), decode(m[2] ?? ''));
  for (const m of form.matchAll(/<select [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    add(m[1] ?? '', /<option value="([^"]*)" selected>/.exec(m[2] ?? '')?.[1] ?? '');
  }
  return body;
}

async function createViaForm(agent: Agent, fields: Record<string, string | string[]>) {
  const page = await agent.get('/models/new');
  expect(page.status).to.equal(200);
  const res = await agent.post('/models').type('form').send({ ...formBody(page.text), ...fields, _csrf: csrfFrom(page.text) });
  return res;
}

describe('catalogue: office editing', () => {
  it('creates a draft that is 404 to anonymous and municipality users and visible to the office', async () => {
    const { agent } = await signIn('office');
    const title = `Şefkat Evi ${unique()}`;
    const res = await createViaForm(agent, { title, summary: 'Yaşlılar için gündüz bakım evi.', themes: ['yaslilar'] });
    expect(res.status).to.equal(303);
    const stored = await ServiceModel.findOne({ title }).lean();
    expect(stored?.status).to.equal('draft');
    expect(stored?.slug).to.match(/^sefkat-evi-/);
    expect(res.headers.location).to.equal(`/models/${stored?.slug}`);

    expect((await (await anon()).get(`/models/${stored?.slug}`)).status).to.equal(404);
    const { agent: muni } = await signIn('municipality');
    expect((await muni.get(`/models/${stored?.slug}`)).status).to.equal(404);
    const own = await agent.get(`/models/${stored?.slug}`);
    expect(own.status).to.equal(200);
    expect(own.text).to.include('model-status-draft');
    expect(await AuditEvent.countDocuments({ action: 'model.created', targetId: String(stored?._id) })).to.equal(1);

    const publish = await agent.post(`/models/${stored?.slug}/publish`).type('form').send({ _csrf: csrfFrom(own.text) });
    expect(publish.status).to.equal(303);
    expect((await (await anon()).get(`/models/${stored?.slug}`)).status).to.equal(200);
    const archive = await agent.post(`/models/${stored?.slug}/archive`).type('form').send({ _csrf: csrfFrom(own.text) });
    expect(archive.status).to.equal(303);
    expect((await (await anon()).get(`/models/${stored?.slug}`)).status).to.equal(404);
    expect(await AuditEvent.countDocuments({ targetId: String(stored?._id), action: { $in: ['model.published', 'model.archived'] } })).to.equal(2);
  });

  it('refuses invalid input with 422, field messages in the user language, and keeps what was typed', async () => {
    const { agent } = await signIn('office');
    const res = await createViaForm(agent, { title: '', summary: 'Özet kaldı', yearStarted: '1800', 'contact[email]': 'not-an-email', 'steps[0][title]': '', 'steps[0][typicalWeeks]': '4' });
    expect(res.status).to.equal(422);
    expect(res.text).to.include('Bu alan zorunludur.');
    expect(res.text).to.include('1950 ile 2100 arasında bir yıl girin.');
    expect(res.text).to.include('Geçerli bir e-posta adresi girin.');
    expect(res.text).to.include('>Özet kaldı</textarea>');
    expect(res.text).to.include('value="not-an-email"');
    expect(res.text).to.match(/name="steps\[0\]\[typicalWeeks\]" value="4"/);
    expect(res.text).to.include('href="#f-title"');
  });

  it('answers a post with far more rows than the form holds with "too many", without echoing them all', async () => {
    const { agent } = await signIn('office');
    const rows: Record<string, string> = {};
    for (let i = 0; i < 600; i++) rows[`steps[${i}][title]`] = `Adım ${i}`;
    const res = await createViaForm(agent, { title: `Çok adımlı ${unique()}`, ...rows });
    expect(res.status).to.equal(422);
    expect(res.text).to.include('En fazla 40 satır girilebilir.');
    const echoed = res.text.match(/name="steps\[\d+\]\[title\]"/g) ?? [];
    expect(echoed.length, "the rows read (twice the limit) and the empty ones to add").to.be.within(41, 90);
  });

  it('edits the ordered steps and indicators without JavaScript: reorder, remove, add, blank rows dropped', async () => {
    const { agent } = await signIn('office');
    const model = await makeModel({ steps: [{ title: 'Bir', typicalWeeks: 1 }, { title: 'İki', typicalWeeks: 2 }, { title: 'Üç', typicalWeeks: 3 }] });
    const page = await agent.get(`/models/${model.slug}/edit`);
    expect(page.status).to.equal(200);
    const body = formBody(page.text);
    expect(body['steps[2][title]']).to.equal('Üç');
    expect(body['steps[3][title]'], 'blank rows for new steps').to.equal('');
    Object.assign(body, {
      'steps[0][order]': '3', // "Bir" moves to the end
      'steps[1][remove]': '1', // "İki" goes
      'steps[3][title]': 'Dört', // a new step, no order number: after the numbered ones
      'steps[3][typicalWeeks]': '6',
      'indicators[0][name]': 'Ulaşılan hane',
      'indicators[0][value]': '1250,5',
      'indicators[0][unit]': 'hane',
      'indicators[0][asOf]': '2025-06-30',
    });
    const res = await agent.post(`/models/${model.slug}`).type('form').send(body);
    expect(res.status, res.text.slice(0, 500)).to.equal(303);
    const stored = await ServiceModel.findById(model._id).lean();
    expect(stored?.steps.map((s) => s.title)).to.deep.equal(['Üç', 'Bir', 'Dört']);
    expect(stored?.steps[2]?.typicalWeeks).to.equal(6);
    expect(stored?.indicators).to.have.length(1);
    expect(stored?.indicators[0]).to.include({ name: 'Ulaşılan hane', value: 1250.5, unit: 'hane' });
    expect(stored?.rev).to.equal(1);
    const audit = await AuditEvent.findOne({ action: 'model.updated', targetId: String(model._id) }).lean();
    expect(audit?.details).to.deep.include({ fields: ['steps', 'indicators'] });

    const shown = await (await anon()).get(`/models/${model.slug}`);
    expect(shown.text).to.match(/Üç[\s\S]*Bir[\s\S]*Dört/);
    expect(shown.text).to.include('1.250,5');
  });

  it('refuses a save that does not say which revision it was based on', async () => {
    const { agent } = await signIn('office');
    const model = await makeModel({ summary: 'Dokunulmamış' });
    const body = formBody((await agent.get(`/models/${model.slug}/edit`)).text);
    delete body.rev;
    const res = await agent.post(`/models/${model.slug}`).type('form').send({ ...body, summary: 'Revizyonsuz' });
    expect(res.status).to.equal(422);
    expect((await ServiceModel.findById(model._id).lean())?.summary).to.equal('Dokunulmamış');
  });

  it('a new title reaches the search of the transfers of that model', async () => {
    const { agent } = await signIn('office');
    const { model, id } = await createTransfer({ modelTitle: `Kent Bostanı ${unique()}` });
    const page = await agent.get(`/models/${model.slug}/edit`);
    const newTitle = `Mahalle Fırını ${unique()}`;
    expect((await agent.post(`/models/${model.slug}`).type('form').send({ ...formBody(page.text), title: newTitle })).status).to.equal(303);
    const found = await agent.get(`/transfers?q=${encodeURIComponent(newTitle.toLocaleLowerCase('tr'))}`);
    expect(found.text).to.include(`/transfers/${id}`);
  });

  it('moves the slug with the title and answers the old slug with 301', async () => {
    const { agent } = await signIn('office');
    const model = await makeModel({ title: `Eski Ad ${unique()}` });
    const oldSlug = model.slug;
    const page = await agent.get(`/models/${oldSlug}/edit`);
    const newTitle = `Yeni Ad ${unique()}`;
    const res = await agent.post(`/models/${oldSlug}`).type('form').send({ ...formBody(page.text), title: newTitle });
    expect(res.status).to.equal(303);
    const stored = await ServiceModel.findById(model._id).lean();
    expect(stored?.slug).to.equal(slugify(newTitle));
    expect(stored?.previousSlugs).to.include(oldSlug);
    const old = await (await anon()).get(`/models/${oldSlug}?lang=en`);
    expect(old.status).to.equal(301);
    expect(old.headers.location).to.equal(`/models/${stored?.slug}?lang=en`);
    expect((await (await anon()).get(`/models/${stored?.slug}`)).status).to.equal(200);
  });

  it('gives a new model with a taken title a numbered slug', async () => {
    const { agent } = await signIn('office');
    const title = `Aynı Ad ${unique()}`;
    await createViaForm(agent, { title, summary: 'Bir' });
    await createViaForm(agent, { title, summary: 'İki' });
    const slugs = (await ServiceModel.find({ title }).sort({ createdAt: 1 }).lean()).map((m) => m.slug);
    expect(slugs).to.deep.equal([slugify(title), `${slugify(title)}-2`]);
  });

  it('two people saving the same revision: one wins, the other gets 409 with their input kept', async () => {
    const model = await makeModel({ title: `Ortak ${unique()}`, summary: 'İlk özet' });
    const [a, b] = await Promise.all([signIn('office'), signIn('admin')]);
    const [pageA, pageB] = await Promise.all([a.agent.get(`/models/${model.slug}/edit`), b.agent.get(`/models/${model.slug}/edit`)]);
    const bodyA: Record<string, string | string[]> = { ...formBody(pageA.text), summary: 'Ayşe’nin özeti', ownerUnit: 'Sosyal Hizmetler' };
    const bodyB: Record<string, string | string[]> = { ...formBody(pageB.text), summary: 'Burak’ın özeti', titleEn: 'Burak title' };
    expect(bodyA.rev).to.equal(bodyB.rev);

    const [resA, resB] = await Promise.all([a.agent.post(`/models/${model.slug}`).type('form').send(bodyA), b.agent.post(`/models/${model.slug}`).type('form').send(bodyB)]);
    const statuses = [resA.status, resB.status].sort();
    expect(statuses).to.deep.equal([303, 409]);
    const [winner, loser, loserBody] = resA.status === 303 ? [bodyA, resB, bodyB] : [bodyB, resA, bodyA];

    const stored = await ServiceModel.findById(model._id).lean();
    expect(stored?.summary).to.equal(winner.summary);
    expect(stored?.rev).to.equal(1);
    expect(loser.text).to.include(`>${String(loserBody.summary).replace(/’/g, '’')}</textarea>`);
    expect(loser.text).to.include('başka biri tarafından kaydedildi');
    // What changed since they opened the form, with the saved value.
    expect(loser.text).to.match(/<dt>Özet<\/dt><dd>[^<]*özeti<\/dd>/);
    expect(loser.text).to.include('name="rev" value="1"');
  });
});

describe('catalogue: what a conflict shows', () => {
  it('lists exactly the fields saved in between, with their saved values, and leaves the stored model alone', async () => {
    const model = await makeModel({ title: `Sıralı ${unique()}` });
    const [a, b] = await Promise.all([signIn('office'), signIn('office')]);
    const bodyA = formBody((await a.agent.get(`/models/${model.slug}/edit`)).text);
    const bodyB = formBody((await b.agent.get(`/models/${model.slug}/edit`)).text);
    const first = await b.agent.post(`/models/${model.slug}`).type('form').send({ ...bodyB, 'requirements[staff]': '2 sosyal hizmet uzmanı', 'contact[name]': 'Zeynep Kaya' });
    expect(first.status).to.equal(303);
    const second = await a.agent.post(`/models/${model.slug}`).type('form').send({ ...bodyA, summary: 'Benim özetim' });
    expect(second.status).to.equal(409);
    const listed = [...second.text.matchAll(/<div><dt>([^<]+)<\/dt><dd>([^<]*)<\/dd><\/div>/g)].map((m) => [m[1], m[2]]);
    expect(listed).to.deep.equal([
      ['Neler gerekir?', 'Personel: 2 sosyal hizmet uzmanı'],
      ['İletişim', 'İletişim kişisi: Zeynep Kaya'],
    ]);
    expect(second.text).to.include('>Benim özetim</textarea>');
    const stored = await ServiceModel.findById(model._id).lean();
    expect(stored?.summary).to.equal(model.summary);
    expect(stored?.requirements?.staff).to.equal('2 sosyal hizmet uzmanı');
  });
});

describe('catalogue: model page', () => {
  it('renders Markdown safely and shows steps, indicators and where the model runs (names only of operational ones)', async () => {
    const model = await makeModel({
      description: '# Neden?\n\nÇünkü **dayanışma**.\n\n<script>alert(1)</script>\n\n[kötü](javascript:alert(1)) [iyi](https://example.org)',
      steps: [{ title: 'Mekânı hazırlayın', typicalWeeks: 4 }],
    });
    const [running, interested] = await Promise.all([createMunicipality(`Tarsus ${unique()}`), createMunicipality(`Gizli ${unique()}`)]);
    await Transfer.create({ model: model._id, municipality: running._id, status: 'operational' });
    await Transfer.create({ model: model._id, municipality: interested._id, status: 'assessment' });
    await refreshAdoption(model._id); // the workflow keeps these figures current; fixtures written directly recount
    const res = await (await anon()).get(`/models/${model.slug}`);
    expect(res.status).to.equal(200);
    expect(res.text).to.include('<h3>Neden?</h3>');
    expect(res.text).to.include('<strong>dayanışma</strong>');
    expect(res.text).to.not.include('<script>alert');
    expect(res.text).to.not.include('href="javascript:');
    expect(res.text).to.include('href="https://example.org" rel="noopener noreferrer nofollow"');
    expect(res.text).to.include('Mekânı hazırlayın');
    expect(res.text).to.include(running.name);
    expect(res.text, 'municipalities in progress are only counted').to.not.include(interested.name);
    expect(res.text).to.include('1 belediyede aktarım sürüyor');
    expect(res.text.match(/<h1[ >]/g)).to.have.length(1);
    expect(res.text).to.include(`href="/models/${model.slug}/request">Talep etmek için giriş yapın`);
  });
});

describe('catalogue: requesting a model', () => {
  it('sends an anonymous visitor to sign in and back to the confirmation page', async () => {
    const model = await makeModel();
    const municipality = await createMunicipality();
    const { email, password } = await createUser('municipality', { municipalityId: String(municipality._id) });
    const agent = supertest.agent(await testApp());
    const first = await agent.get(`/models/${model.slug}/request`);
    expect(first.status).to.equal(303);
    expect(first.headers.location).to.equal('/login');
    const login = await signInAs(agent, email, password);
    expect(login.headers.location).to.equal(`/models/${model.slug}/request`);
    const confirm = await agent.get(`/models/${model.slug}/request`);
    expect(confirm.status).to.equal(200);
    expect(confirm.text).to.include(municipality.name);
  });

  it('opens a transfer at interest with the checklist, counts it, audits it, and does not duplicate it', async () => {
    const model = await makeModel({ steps: [{ title: 'Protokol', typicalWeeks: 2 }, { title: 'Eğitim', typicalWeeks: 3 }] });
    const { agent, user } = await signIn('municipality');
    const page = await agent.get(`/models/${model.slug}/request`);
    const res = await agent.post(`/models/${model.slug}/request`).type('form').send({ _csrf: csrfFrom(page.text), note: 'Mezitli’de başlamak istiyoruz.' });
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal(`/models/${model.slug}`);

    const transfer = await Transfer.findOne({ model: model._id, municipality: user.municipality }).lean();
    expect(transfer?.status).to.equal('interest');
    expect(transfer?.checklist.map((c) => c.title)).to.deep.equal(['Protokol', 'Eğitim']);
    expect(transfer?.history).to.have.length(1);
    expect(transfer?.history[0]).to.include({ to: 'interest', note: 'Mezitli’de başlamak istiyoruz.' });
    expect(String(transfer?.history[0]?.by)).to.equal(String(user._id));
    expect(transfer?.stageEnteredAt?.interest).to.be.instanceOf(Date);
    expect((await ServiceModel.findById(model._id).lean())?.adoption?.inProgress).to.equal(1);
    expect(await AuditEvent.countDocuments({ action: 'transfer.requested', targetId: String(transfer?._id) })).to.equal(1);

    const shown = await agent.get(`/models/${model.slug}`);
    expect(shown.text).to.include('Talebiniz alındı');
    expect(shown.text).to.include('Belediyeniz bu modeli talep etti');

    const again = await agent.post(`/models/${model.slug}/request`).type('form').send({ _csrf: csrfFrom(page.text) });
    expect(again.status).to.equal(303);
    expect(await Transfer.countDocuments({ model: model._id, municipality: user.municipality })).to.equal(1);
    expect((await agent.get(`/models/${model.slug}`)).text).to.include('zaten talep etmiş');
    // No dead link on the page for this user (the transfer page is linked only once it exists).
    const links = [...new Set([...shown.text.matchAll(/href="(\/[^"]*)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&')))];
    for (const href of links) expect((await agent.get(href)).status, href).to.be.oneOf([200, 301, 302, 303]);
  });

  it('reopens a cancelled transfer instead of creating a second one', async () => {
    const model = await makeModel();
    const { agent, user } = await signIn('municipality');
    const cancelled = await Transfer.create({ model: model._id, municipality: user.municipality ?? undefined, status: 'cancelled', version: 4, history: [{ at: new Date(), to: 'cancelled', reason: 'Bütçe yok' }] });
    const page = await agent.get(`/models/${model.slug}/request`);
    const res = await agent.post(`/models/${model.slug}/request`).type('form').send({ _csrf: csrfFrom(page.text) });
    expect(res.status).to.equal(303);
    const after = await Transfer.findById(cancelled._id).lean();
    expect(after?.status).to.equal('interest');
    expect(after?.version).to.equal(5);
    expect(after?.history.map((h) => h.to)).to.deep.equal(['cancelled', 'interest']);
    expect(after?.history[1]?.from).to.equal('cancelled');
    expect(await Transfer.countDocuments({ model: model._id, municipality: user.municipality })).to.equal(1);
  });

  it('is refused to office staff (403) and answers 404 for a draft', async () => {
    const draft = await makeModel({ status: 'draft' });
    const { agent } = await signIn('municipality');
    expect((await agent.get(`/models/${draft.slug}/request`)).status).to.equal(404);
    const { agent: office } = await signIn('office');
    const published = await makeModel();
    expect((await office.get(`/models/${published.slug}/request`)).status).to.equal(403);
  });
});

describe('catalogue: numbers in the page language', () => {
  /** An office agent whose pages are in `lang` (the ?lang= switch sets the cookie). */
  async function officeIn(lang: 'tr' | 'en') {
    const { agent } = await signIn('office');
    await agent.get(`/models?lang=${lang}`);
    return agent;
  }
  const indicator = (value: string) => ({ 'indicators[0][name]': 'Ulaşılan hane', 'indicators[0][value]': value, 'indicators[0][unit]': 'hane' });

  for (const [lang, typed] of [
    ['tr', [['1.500', 1500], ['1.500,5', 1500.5], ['12,5', 12.5], ['1.250.000', 1_250_000], ['0,25', 0.25], ['-3', -3]]],
    ['en', [['1,500', 1500], ['1,500.5', 1500.5], ['12.5', 12.5], ['1,250,000', 1_250_000], ['0.25', 0.25], ['1500', 1500]]],
  ] as const) {
    it(`reads indicator values the ${lang} way, shows them back that way, and a save without changes keeps them`, async () => {
      const agent = await officeIn(lang);
      for (const [text, number] of typed) {
        const title = `Sayı ${lang} ${unique()}`;
        const res = await createViaForm(agent, { title, summary: 'Özet', ...indicator(text) });
        expect(res.status, `${text}: ${res.text.slice(0, 300)}`).to.equal(303);
        const stored = await ServiceModel.findOne({ title }).lean();
        expect(stored?.indicators[0]?.value, text).to.equal(number);

        const page = await agent.get(`/models/${stored?.slug}/edit`);
        const shown = formBody(page.text)['indicators[0][value]'];
        expect(shown, `${number} shown back on the ${lang} form`).to.equal(new Intl.NumberFormat(lang === 'tr' ? 'tr-TR' : 'en-GB', { maximumFractionDigits: 20 }).format(number));
        const again = await agent.post(`/models/${stored?.slug}`).type('form').send(formBody(page.text));
        expect(again.status, again.text.slice(0, 300)).to.equal(303);
        expect((await ServiceModel.findById(stored?._id).lean())?.indicators[0]?.value, `${text} after a save without changes`).to.equal(number);
      }
    });
  }

  it('shows 12.5 as 12,5 on the Turkish form and 12.5 on the English one', async () => {
    const model = await makeModel();
    await ServiceModel.updateOne({ _id: model._id }, { $set: { indicators: [{ name: 'Oran', value: 12.5 }, { name: 'Hane', value: 1500 }] } });
    const tr = formBody((await (await officeIn('tr')).get(`/models/${model.slug}/edit`)).text);
    expect([tr['indicators[0][value]'], tr['indicators[1][value]']]).to.deep.equal(['12,5', '1.500']);
    const en = formBody((await (await officeIn('en')).get(`/models/${model.slug}/edit`)).text);
    expect([en['indicators[0][value]'], en['indicators[1][value]']]).to.deep.equal(['12.5', '1,500']);
  });

  it('refuses a number written the other language’s way instead of guessing', async () => {
    for (const [lang, text, message] of [
      ['tr', '12.5', 'binlikler arasına nokta, ondalıktan önce virgül'],
      ['tr', '1,500.5', 'binlikler arasına nokta, ondalıktan önce virgül'],
      ['tr', '1.5', 'binlikler arasına nokta, ondalıktan önce virgül'],
      ['en', '12,5', 'commas between thousands, a point before the decimals'],
      ['en', '1.500,5', 'commas between thousands, a point before the decimals'],
      ['en', 'çok', 'commas between thousands, a point before the decimals'],
    ] as const) {
      const agent = await officeIn(lang);
      const title = `Belirsiz ${unique()}`;
      const res = await createViaForm(agent, { title, summary: 'Özet', ...indicator(text) });
      expect(res.status, `${lang} ${text}`).to.equal(422);
      expect(res.text, `${lang} ${text}`).to.include(message);
      expect(res.text, 'what was typed stays').to.include(`value="${text}"`);
      expect(await ServiceModel.countDocuments({ title })).to.equal(0);
    }
  });

  it('reads the numbers in the language the form was shown in, even if the language was switched in another tab', async () => {
    const agent = await officeIn('tr');
    const page = await agent.get('/models/new');
    await agent.get('/models?lang=en'); // another tab
    const title = `Sekme ${unique()}`;
    const res = await agent.post('/models').type('form').send({ ...formBody(page.text), _csrf: csrfFrom(page.text), title, summary: 'Özet', ...indicator('1.500') });
    expect(res.status).to.equal(303);
    expect((await ServiceModel.findOne({ title }).lean())?.indicators[0]?.value).to.equal(1500);
    // Refused for another reason, the form comes back in English with the number written the English way.
    const refused = await agent.post('/models').type('form').send({ ...formBody(page.text), _csrf: csrfFrom(page.text), title: '', summary: 'Özet', ...indicator('1.500,5') });
    expect(refused.status).to.equal(422);
    expect(formBody(refused.text)['indicators[0][value]']).to.equal('1,500.5');
    expect(formBody(refused.text).numberLang).to.equal('en');
  });

  it('writes every number so that it reads back as the same number, in both languages', () => {
    for (const n of [0, 1, -1, 12.5, 1500, 1500.5, 0.1 + 0.2, -1234567.25, 1e21, 1e-7, 1.234e-12, Number.MAX_SAFE_INTEGER]) {
      for (const lang of ['tr', 'en'] as const) expect(parseDecimal(formatDecimal(n, lang), lang), `${n} in ${lang}`).to.equal(n);
    }
    expect(formatDecimal(-1234567.25, 'tr')).to.equal('-1.234.567,25');
    expect(formatDecimal(-1234567.25, 'en')).to.equal('-1,234,567.25');
    expect(parseDecimal('1 500,5', 'tr'), 'a space between thousands').to.equal(1500.5);
    expect(parseDecimal('12.5', 'tr')).to.equal(undefined);
    expect(parseDecimal('12,5', 'en')).to.equal(undefined);
  });
});

describe('catalogue: messages that say what to type', () => {
  it('says a step takes whole weeks when 3,5 is typed, and keeps refusing what is out of range', async () => {
    const { agent } = await signIn('office');
    const half = await createViaForm(agent, { title: `Hafta ${unique()}`, summary: 'Özet', 'steps[0][title]': 'Eğitim', 'steps[0][typicalWeeks]': '3,5' });
    expect(half.status).to.equal(422);
    expect(half.text).to.include('Süreyi tam hafta olarak girin');
    expect(half.text).to.not.include('0 ile 520 arasında');
    const far = await createViaForm(agent, { title: `Hafta ${unique()}`, summary: 'Özet', 'steps[0][title]': 'Eğitim', 'steps[0][typicalWeeks]': '600' });
    expect(far.text).to.include('0 ile 520 arasında bir hafta sayısı girin.');
    const title = `Hafta ${unique()}`;
    expect((await createViaForm(agent, { title, summary: 'Özet', 'steps[0][title]': 'Eğitim', 'steps[0][typicalWeeks]': '4' })).status).to.equal(303);
    expect((await ServiceModel.findOne({ title }).lean())?.steps[0]?.typicalWeeks).to.equal(4);

    await agent.get('/models?lang=en');
    const en = await createViaForm(agent, { title: `Hafta ${unique()}`, summary: 'Özet', 'steps[0][title]': 'Eğitim', 'steps[0][typicalWeeks]': '3.5' });
    expect(en.text).to.include('Enter whole weeks');
  });

  it('says how long a text may be, in both languages', async () => {
    const { agent } = await signIn('office');
    const long = { title: 'x'.repeat(201), summary: 'Özet', 'requirements[staff]': 'y'.repeat(1001) };
    const tr = await createViaForm(agent, long);
    expect(tr.status).to.equal(422);
    expect(tr.text).to.include('En fazla 200 karakter girin.');
    expect(tr.text).to.include('En fazla 1.000 karakter girin.');
    expect(tr.text).to.not.include('Bu değer çok uzun');
    await agent.get('/models?lang=en');
    const en = await createViaForm(agent, long);
    expect(en.text).to.include('Enter at most 200 characters.');
    expect(en.text).to.include('Enter at most 1,000 characters.');
  });
});

describe('catalogue: what a municipality is told about its request', () => {
  it('promises only what happens (the office calls, the model page shows the status), in both languages', async () => {
    const model = await makeModel();
    const { agent } = await signIn('municipality');
    const tr = await agent.get(`/models/${model.slug}/request`);
    expect(tr.text).to.include('sizinle iletişime geçer; talebinizin durumunu bu modelin sayfasında görebilirsiniz');
    expect(tr.text).to.not.include('Aktarımlar sayfası');
    const en = await agent.get(`/models/${model.slug}/request?lang=en`);
    expect(en.text).to.include('the status of your request is shown on this model’s page');
    expect(en.text).to.not.include('Transfers page');
  });

  it('heads the request box “your municipality’s request” once there is one, and asks the question only before', async () => {
    const model = await makeModel();
    const { agent, user } = await signIn('municipality');
    const before = await agent.get(`/models/${model.slug}`);
    expect(before.text).to.include('<h2 id="request-heading">Bu modeli belediyenizde uygulamak ister misiniz?</h2>');
    await Transfer.create({ model: model._id, municipality: user.municipality ?? undefined, status: 'assessment' });
    for (const [lang, heading, question] of [
      ['tr', 'Belediyenizin talebi', 'uygulamak ister misiniz'],
      ['en', 'Your municipality’s request', 'Would you like to run this model'],
    ] as const) {
      const res = await agent.get(`/models/${model.slug}?lang=${lang}`);
      expect(res.text, lang).to.include(`<h2 id="request-heading">${heading}</h2>`);
      expect(res.text, lang).to.not.include(question);
    }
    // A cancelled request can be made again: the question is back.
    await Transfer.updateOne({ model: model._id, municipality: user.municipality }, { $set: { status: 'cancelled' } });
    expect((await agent.get(`/models/${model.slug}?lang=tr`)).text).to.include('Bu modeli belediyenizde uygulamak ister misiniz?');
  });
});
