import type { Request, Response } from 'express';
import { Types } from 'mongoose';
import { VISIT_FORMATS, termLabel } from '../../reference/index.js';
import { AppError } from '../../shared/errors.js';
import { flash } from '../../shared/http/flash.js';
import { datedFilename, exportFormatOf, sendTable, type Column } from '../../shared/http/table-export.js';
import { canSeeMunicipalityRecord, seesAllMunicipalities } from '../accounts/privileges.js';
import { audit, auditContext } from '../audit/audit.service.js';
import { documentsOf } from '../documents/documents.service.js';
import { documentView } from '../documents/presenter.js';
import { ACCEPTED_TYPES, DOCUMENT_EXTS } from '../documents/file-types.js';
import { modelOptions, modelTitles, municipalityIndex, municipalityLabel, userNames } from './lookups.js';
import { emptyVisitForm, readVisitForm, validateVisitForm, type VisitFormValues } from './visit-form.js';
import { openInterestFromVisit, transfersOfVisit } from './visit-interest.js';
import { renderVisitForm } from './visit-page.js';
import { allVisits, isOverdue, listQuerySchema, listVisits, PAGE_SIZE, todayInIstanbul, unreadDates, visitFilter, type VisitRow } from './visits.query.js';
import { createVisit, deleteVisit, saveVisit, setFollowUpDone, type VisitRecord } from './visits.service.js';
import { Visit } from './visit.model.js';

const langOf = (req: Request): 'tr' | 'en' => (req.language === 'en' ? 'en' : 'tr');
const origin = (req: Request) => `${req.protocol}://${req.get('host') ?? 'localhost'}`;

/** The visit at :id when the actor may see it; otherwise 404 (never someone else's record). */
export async function visitFor(req: Request): Promise<VisitRecord> {
  const id = String(req.params.id);
  if (!/^[0-9a-f]{24}$/i.test(id)) throw AppError.notFound();
  const visit = await Visit.findById(id).lean<VisitRecord>();
  if (!visit || !canSeeMunicipalityRecord(req.user, visit.municipalities)) throw AppError.notFound();
  return visit;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString().slice(0, 10) : '');

/** A stored visit as its edit form's starting values. */
export async function formValuesOf(visit: VisitRecord): Promise<VisitFormValues> {
  const index = await municipalityIndex();
  return {
    date: iso(visit.date),
    format: visit.format,
    municipalities: visit.municipalities.map((id) => {
      const m = index.byId.get(String(id));
      return m ? municipalityLabel(m) : String(id);
    }),
    newMunicipality: { name: '', province: '', kind: 'ilce' },
    delegation: visit.delegation.map((d) => ({ name: d.name, title: d.title ?? '' })),
    hostStaff: (visit.hostStaff ?? []).join('\n'),
    models: (visit.models ?? []).map(String),
    requestedModels: (visit.requestedModels ?? []).map(String),
    summary: visit.summary ?? '',
    notes: visit.notes ?? '',
    followUps: (visit.followUps ?? []).map((f) => ({ key: f.key, action: f.action, owner: f.ownerId ? `u:${String(f.ownerId)}` : f.owner ? `n:${f.owner}` : '', due: iso(f.due), done: !!f.done })),
    blank: { municipalities: 1, delegation: 1, followUps: 1 },
    rev: String(visit.rev ?? 0),
  };
}

const target = (v: { _id: unknown; date: Date }) => ({ kind: 'Visit', id: String(v._id), label: iso(v.date) });

/** What the audit log keeps of a visit (a deleted one can be read back from it). */
async function snapshot(v: VisitRecord): Promise<Record<string, unknown>> {
  const [index, titles] = await Promise.all([municipalityIndex(), modelTitles()]);
  const muni = (id: unknown) => index.byId.get(String(id))?.name ?? String(id);
  return {
    date: iso(v.date),
    format: v.format,
    municipalities: v.municipalities.map(muni).join(', '),
    delegation: v.delegation.map((d) => (d.title ? `${d.name} (${d.title})` : d.name)).join(', '),
    hostStaff: (v.hostStaff ?? []).join(', '),
    models: (v.models ?? []).map((id) => titles.get(String(id)) ?? String(id)).join(', '),
    requestedModels: (v.requestedModels ?? []).map((id) => titles.get(String(id)) ?? String(id)).join(', '),
    summary: v.summary,
    notes: v.notes ?? '',
    followUps: (v.followUps ?? []).map((f) => `${f.done ? '[x]' : '[ ]'} ${f.action}${f.due ? ` (${iso(f.due)})` : ''}`).join(' | '),
  };
}

const CHANGE_FIELDS = ['date', 'format', 'municipalities', 'delegation', 'hostStaff', 'models', 'requestedModels', 'summary', 'notes', 'followUps'] as const;

export function visitsController(uploadMaxBytes: number) {
  async function listState(req: Request) {
    const q = listQuerySchema.parse(req.query);
    const filter = await visitFilter(req.user, q);
    return { q, filter };
  }

  /** Names for the list's rows and exports. */
  async function rowNames() {
    const [index, titles] = await Promise.all([municipalityIndex(), modelTitles()]);
    return {
      municipalities: (r: VisitRow) => r.municipalities.map((id) => index.byId.get(String(id))?.name ?? '').filter(Boolean),
      models: (ids: unknown[]) => ids.map((id) => titles.get(String(id)) ?? '').filter(Boolean),
    };
  }

  return {
    async list(req: Request, res: Response) {
      const { q, filter } = await listState(req);
      const page = q.page ?? 1;
      const [{ rows, total }, names, models] = await Promise.all([listVisits(filter, page), rowNames(), modelOptions()]);
      const lang = langOf(req);
      const exportQuery = new URLSearchParams(Object.entries({ ...q, page: undefined }).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')).toString();
      res.render('visits/index', {
        title: req.t('visits:list.heading'),
        q,
        unreadDates: unreadDates(req.query, q),
        total,
        page,
        pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
        rows: rows.map((r) => ({
          id: String(r._id),
          date: r.date,
          format: termLabel(VISIT_FORMATS, r.format, lang),
          municipalities: names.municipalities(r),
          delegation: r.delegation.map((d) => d.name),
          models: names.models(r.models ?? []),
          requested: names.models(r.requestedModels ?? []),
          summary: r.summary,
          open: r.openFollowUps ?? 0,
        })),
        modelChoices: models.filter((m) => m.status !== 'draft'),
        formats: VISIT_FORMATS.map((f) => ({ value: f.code, label: lang === 'en' ? f.en : f.tr })),
        exportQuery,
        staff: seesAllMunicipalities(req.user),
      });
    },

    async exportList(req: Request, res: Response) {
      const format = exportFormatOf(req.query.format);
      const { filter } = await listState(req);
      const [rows, names] = await Promise.all([allVisits(filter), rowNames()]);
      const lang = langOf(req);
      const t = (k: string) => req.t(`visits:export.${k}`);
      const columns: Column<VisitRow>[] = [
        { header: t('date'), value: (r) => r.date },
        { header: t('format'), value: (r) => termLabel(VISIT_FORMATS, r.format, lang), width: 28 },
        { header: t('municipalities'), value: (r) => names.municipalities(r).join(', '), width: 40 },
        { header: t('delegation'), value: (r) => r.delegation.map((d) => (d.title ? `${d.name} (${d.title})` : d.name)).join(', '), width: 40 },
        { header: t('models'), value: (r) => names.models(r.models ?? []).join(', '), width: 40 },
        { header: t('requestedModels'), value: (r) => names.models(r.requestedModels ?? []).join(', '), width: 40 },
        { header: t('summary'), value: (r) => r.summary, width: 60 },
        { header: t('openFollowUps'), value: (r) => r.openFollowUps ?? 0 },
      ];
      await sendTable(res, format, datedFilename(lang === 'tr' ? 'ziyaretler' : 'visits'), { name: req.t('visits:list.heading'), columns, rows }, lang);
    },

    async newForm(req: Request, res: Response) {
      await renderVisitForm(req, res, { mode: 'new', values: emptyVisitForm() });
    },

    async create(req: Request, res: Response) {
      const values = readVisitForm(req.body);
      if (req.body?.addRow) return renderVisitForm(req, res, { mode: 'new', values });
      const parsed = await validateVisitForm(values);
      if (!parsed.ok) return renderVisitForm(req, res, { mode: 'new', values, errors: parsed.errors, args: parsed.args, status: 422 });
      const user = req.user;
      if (!user) throw AppError.forbidden();
      const { visit, createdMunicipality } = await createVisit(parsed.data, user.id);
      if (createdMunicipality) {
        await audit({ action: 'municipality.created', ...auditContext(req), target: { kind: 'Municipality', id: String(createdMunicipality), label: parsed.data.newMunicipality?.name }, details: { via: 'visit', visit: String(visit._id) } });
      }
      await audit({ action: 'visit.created', ...auditContext(req), target: target(visit), details: await snapshot(visit) });
      flash(req, 'success', 'visits:flash.created');
      res.redirect(303, `/visits/${String(visit._id)}`);
    },

    async show(req: Request, res: Response) {
      const visit = await visitFor(req);
      const staff = seesAllMunicipalities(req.user);
      const lang = langOf(req);
      const [index, titles, transfers, docs] = await Promise.all([
        municipalityIndex(),
        modelTitles(),
        transfersOfVisit(visit),
        documentsOf({ kind: 'Visit', id: visit._id }, { includeInternal: staff }),
      ]);
      const people = await userNames((visit.followUps ?? []).flatMap((f) => [f.ownerId, f.doneBy]).filter((x): x is Types.ObjectId => !!x).map(String));
      const today = todayInIstanbul();
      const photoIds = new Set(docs.filter((d) => d.purpose === 'photo').map((d) => String(d._id)));
      const thumbs = new Map(docs.filter((d) => d.purpose === 'photo-thumb' && d.title && photoIds.has(d.title)).map((d) => [d.title ?? '', String(d._id)]));
      const views = docs.filter((d) => d.purpose !== 'photo-thumb').map((d) => ({ ...documentView(d, lang === 'en' ? 'en-GB' : 'tr-TR', origin(req)), thumb: thumbs.get(String(d._id)) }));
      res.render('visits/show', {
        title: `${req.t('visits:show.heading')} — ${iso(visit.date)}`,
        visit,
        staff,
        format: termLabel(VISIT_FORMATS, visit.format, lang),
        municipalities: visit.municipalities.map((id) => ({ id: String(id), label: index.byId.get(String(id))?.name ?? '—', province: index.byId.get(String(id))?.province ?? '' })),
        models: (visit.models ?? []).map((id) => titles.get(String(id)) ?? '—'),
        requested: (visit.requestedModels ?? []).map((id) => titles.get(String(id)) ?? '—'),
        followUps: (visit.followUps ?? []).map((f) => ({
          key: f.key,
          action: f.action,
          owner: f.ownerId ? (people.get(String(f.ownerId)) ?? '—') : (f.owner ?? ''),
          due: f.due,
          done: !!f.done,
          doneAt: f.doneAt,
          doneBy: f.doneBy ? people.get(String(f.doneBy)) : undefined,
          overdue: isOverdue(f, today),
        })),
        transfers: transfers.map((tr) => ({ ...tr, modelTitle: titles.get(tr.model) ?? '—', municipalityName: index.byId.get(tr.municipality)?.name ?? '—' })),
        photos: views.filter((d) => d.thumb),
        documents: views.filter((d) => !d.thumb),
        upload: res.locals.upload,
        maxMb: Math.round(uploadMaxBytes / (1024 * 1024)),
        accept: [...DOCUMENT_EXTS.map((e) => `.${e}`), ...new Set(DOCUMENT_EXTS.map((e) => ACCEPTED_TYPES[e]))].join(','),
      });
    },

    async editForm(req: Request, res: Response) {
      const visit = await visitFor(req);
      await renderVisitForm(req, res, { mode: 'edit', visit, values: await formValuesOf(visit) });
    },

    async save(req: Request, res: Response) {
      const visit = await visitFor(req);
      const values = readVisitForm(req.body);
      if (!/^\d{1,9}$/.test(values.rev)) throw new AppError('VALIDATION', 'missing revision');
      if (req.body?.addRow) return renderVisitForm(req, res, { mode: 'edit', visit, values });
      const parsed = await validateVisitForm(values);
      if (!parsed.ok) return renderVisitForm(req, res, { mode: 'edit', visit, values, errors: parsed.errors, args: parsed.args, status: 422 });
      const user = req.user;
      if (!user) throw AppError.forbidden();
      const result = await saveVisit(visit._id, Number(values.rev), parsed.data, user.id);
      if (result.kind === 'gone') throw AppError.notFound();
      if (result.kind === 'conflict') {
        // Nothing was written: their input stays, now based on the latest revision.
        return renderVisitForm(req, res, { mode: 'edit', visit: result.latest, values: { ...values, rev: String(result.latest.rev ?? 0) }, status: 409, conflict: true });
      }
      if (result.createdMunicipality) {
        await audit({ action: 'municipality.created', ...auditContext(req), target: { kind: 'Municipality', id: String(result.createdMunicipality), label: parsed.data.newMunicipality?.name }, details: { via: 'visit', visit: String(visit._id) } });
      }
      const [before, after] = await Promise.all([snapshot(result.before), snapshot(result.visit)]);
      const fields = CHANGE_FIELDS.filter((f) => before[f] !== after[f]);
      await audit({ action: 'visit.updated', ...auditContext(req), target: target(result.visit), details: { fields, rev: result.visit.rev } });
      flash(req, 'success', 'visits:flash.saved');
      res.redirect(303, `/visits/${String(visit._id)}`);
    },

    async remove(req: Request, res: Response) {
      const visit = await visitFor(req);
      const deleted = await deleteVisit(visit._id);
      if (!deleted) throw AppError.conflict();
      await audit({ action: 'visit.deleted', ...auditContext(req), target: target(deleted), details: await snapshot(deleted) });
      flash(req, 'success', 'visits:flash.deleted', { date: iso(deleted.date) });
      res.redirect(303, '/visits');
    },

    async interest(req: Request, res: Response) {
      const visit = await visitFor(req);
      const user = req.user;
      if (!user) throw AppError.forbidden();
      const outcomes = await openInterestFromVisit(visit, user.id);
      const titles = await modelTitles();
      for (const o of outcomes.filter((x) => x.kind !== 'already')) {
        await audit({
          action: 'transfer.requested',
          ...auditContext(req),
          target: { kind: 'Transfer', id: String(o.transferId), label: titles.get(o.model) },
          details: { model: o.model, municipality: o.municipality, reopened: o.kind === 'reopened', visit: String(visit._id) },
        });
      }
      const count = (k: string) => outcomes.filter((o) => o.kind === k).length;
      await audit({ action: 'visit.interest-opened', ...auditContext(req), target: target(visit), details: { created: count('created'), reopened: count('reopened'), already: count('already') } });
      flash(req, outcomes.length ? 'success' : 'info', outcomes.length ? 'visits:flash.interest' : 'visits:flash.interestNone', { created: count('created'), reopened: count('reopened'), already: count('already') });
      res.redirect(303, `/visits/${String(visit._id)}#transfers`);
    },

    async followUpDone(req: Request, res: Response) {
      const visit = await visitFor(req);
      const user = req.user;
      if (!user) throw AppError.forbidden();
      const done = req.body?.done !== '0';
      const result = await setFollowUpDone(visit._id, String(req.params.key), done, user.id);
      if (result.kind === 'gone') throw AppError.notFound();
      if (result.kind === 'done') {
        await audit({ action: done ? 'visit.follow-up-done' : 'visit.follow-up-reopened', ...auditContext(req), target: target(visit), details: { action: result.followUp.action, key: result.followUp.key } });
        flash(req, 'success', done ? 'visits:flash.followUpDone' : 'visits:flash.followUpReopened', { action: result.followUp.action });
      }
      const back = typeof req.body?.back === 'string' && /^\/(follow-ups|visits)(\/[0-9a-f]{24})?(\?[\w=&%-]*)?$/.test(req.body.back) ? req.body.back : `/visits/${String(visit._id)}`;
      res.redirect(303, back);
    },
  };
}
