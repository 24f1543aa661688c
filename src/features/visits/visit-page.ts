/**
 * Rendering the visit form (new, edit, refused, conflict) and what the form's fields are called in
 * its error summary.
 */
import type { Request, Response } from 'express';
import { MUNICIPALITY_KINDS, PROVINCES, VISIT_FORMATS } from '../../reference/index.js';
import type { FieldErrors } from '../../shared/http/validation.js';
import { modelOptions, municipalityIndex, municipalityLabel, staffOptions, userNames } from './lookups.js';
import type { ErrorArgs, VisitFormValues } from './visit-form.js';
import type { VisitRecord } from './visits.service.js';

export type FormPage = {
  mode: 'new' | 'edit';
  visit?: VisitRecord | undefined;
  values: VisitFormValues;
  errors?: FieldErrors | undefined;
  args?: ErrorArgs | undefined;
  status?: number | undefined;
  conflict?: boolean | undefined;
};

const fieldId = (name: string) => `f-${name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;

function fieldLabel(req: Request, name: string): string {
  const row = /^(municipalities|delegation|followUps)\[(\d+)\](?:\[(\w+)\])?$/.exec(name);
  if (row) {
    const [, list, index, field] = row;
    const n = Number(index) + 1;
    const rowLabel = req.t(`visits:form.${list}Row`, { n });
    return field ? `${rowLabel} — ${req.t(`visits:fields.${list}.${field}`)}` : rowLabel;
  }
  const nested = /^newMunicipality\[(\w+)\]$/.exec(name);
  if (nested) return `${req.t('visits:form.newMunicipality')} — ${req.t(`visits:fields.newMunicipality.${nested[1]}`)}`;
  return req.t(`visits:fields.${name}`);
}

/** The datalist's options ("Name — Province"), computed once per municipality data version. */
async function municipalityChoices(): Promise<string[]> {
  return (await municipalityIndex()).options.map(municipalityLabel);
}

export async function renderVisitForm(req: Request, res: Response, page: FormPage): Promise<void> {
  const lang = req.language === 'en' ? 'en' : 'tr';
  const errors = page.errors ?? {};
  const args = page.args ?? {};
  const [choices, models, staff] = await Promise.all([municipalityChoices(), modelOptions(), staffOptions()]);
  // Owners the select must keep though they are not active staff now (a former colleague, a free-text owner).
  const ownerValues = page.values.followUps.map((f) => f.owner).filter((o) => o && !staff.some((s) => `u:${s.id}` === o));
  const formerIds = ownerValues.filter((o) => o.startsWith('u:')).map((o) => o.slice(2));
  const former = await userNames(formerIds.filter((id) => /^[0-9a-f]{24}$/.test(id)));
  const extraOwners = [...new Set(ownerValues)].map((o) => ({ value: o, label: o.startsWith('u:') ? (former.get(o.slice(2)) ?? o.slice(2)) : o.slice(2) }));
  const chosen = new Set([...page.values.models, ...page.values.requestedModels]);
  res.status(page.status ?? 200).render('visits/form', {
    title: page.mode === 'new' ? req.t('visits:form.newHeading') : req.t('visits:form.editHeading'),
    mode: page.mode,
    visit: page.visit,
    values: page.values,
    errors,
    errorArgs: args,
    errorList: Object.keys(errors).map((name) => ({ id: fieldId(name), label: fieldLabel(req, name), message: errors[name] ?? '', args: args[name] ?? {} })),
    conflict: !!page.conflict,
    municipalityChoices: choices,
    modelChoices: models.filter((m) => m.status !== 'draft' || chosen.has(m.id)),
    ownerChoices: [...staff.map((s) => ({ value: `u:${s.id}`, label: s.name })), ...extraOwners],
    provinces: PROVINCES,
    kinds: MUNICIPALITY_KINDS.map((k) => ({ value: k.code, label: lang === 'en' ? k.en : k.tr })),
    formats: VISIT_FORMATS.map((f) => ({ value: f.code, label: lang === 'en' ? f.en : f.tr })),
  });
}
