/** Records for the municipality tests: a municipality of a given source, a model, a visit, a transfer with history and comments. */
import type { Types } from 'mongoose';
import { ServiceModel } from '../../src/features/catalogue/model.model.js';
import { municipalityKeys } from '../../src/features/municipalities/identity.js';
import { Municipality, MUNICIPALITY_SOURCES } from '../../src/features/municipalities/municipality.model.js';
import type { MunicipalityKind } from '../../src/features/municipalities/identity.js';
import { Transfer } from '../../src/features/transfers/transfer.model.js';
import type { State } from '../../src/features/transfers/workflow.js';
import { Visit, quarterOf } from '../../src/features/visits/visit.model.js';
import { provinceByName } from '../../src/reference/index.js';
import { searchKey } from '../../src/shared/search-key.js';
import { unique } from './app.js';

export async function makeMunicipality(name: string, opts: { province?: string; kind?: MunicipalityKind; source?: (typeof MUNICIPALITY_SOURCES)[number]; notes?: string; contacts?: { name: string; title?: string; email?: string; phone?: string }[] } = {}) {
  const province = provinceByName(opts.province ?? 'İzmir');
  if (!province) throw new Error('unknown province');
  return Municipality.create({
    name,
    kind: opts.kind ?? 'ilce',
    province: province.name,
    region: province.region,
    source: opts.source ?? 'national',
    notes: opts.notes,
    contacts: opts.contacts ?? [],
    ...municipalityKeys(name, province.name),
  });
}

export async function makeModel(title = `Mahalle Mutfağı ${unique()}`) {
  return ServiceModel.create({ title, slug: unique('mm'), summary: 'Özet', status: 'published', searchKey: searchKey(title), titleKey: searchKey(title) });
}

export async function makeVisit(municipalities: Types.ObjectId[], date: Date, summary = 'Çalışma ziyareti') {
  return Visit.create({ date, format: 'study_visit', municipalities, summary, quarter: quarterOf(date) });
}

export async function makeTransfer(model: Types.ObjectId, municipality: Types.ObjectId, status: State, history: { at: Date; from?: State; to: State }[] = [], comments: { at: Date; text: string }[] = []) {
  return Transfer.create({ model, municipality, status, history, comments, lastActivityAt: history.at(-1)?.at ?? new Date() });
}
