/**
 * Rendering the model form (new and edit): field labels for the error summary, the conflict
 * notice that lists what someone else changed, and the edit page's document and cover sections.
 */
import type { Request, Response } from 'express';
import { APPROACHES, DIFFICULTIES, TARGET_GROUPS, termLabel, THEMES } from '../../reference/index.js';
import type { FieldErrors } from '../../shared/http/validation.js';
import { LOCALE_OF, type Lang } from '../../shared/i18n.js';
import { documentsOf } from '../documents/documents.service.js';
import { DOCUMENT_EXTS, ACCEPTED_TYPES } from '../documents/file-types.js';
import { documentView } from '../documents/presenter.js';
import { CONTACT_KEYS, REQUIREMENT_KEYS, type ModelFormValues, type ModelInput } from './catalogue.validation.js';
import { changedSince, inputOf, type EditableField, type ModelRecord } from './model-form.js';

export type UploadState = { values: { title?: string; visibility?: string }; errors: FieldErrors };

export type FormPage = {
  mode: 'new' | 'edit';
  model?: ModelRecord | undefined;
  values: ModelFormValues;
  errors?: FieldErrors | undefined;
  status?: number | undefined;
  conflict?: { latest: ModelRecord; base: string } | undefined;
  upload?: UploadState | undefined;
  coverUpload?: UploadState | undefined;
};

/** The language the page is shown in. */
export const pageLang = (req: Request): Lang => (req.language === 'en' ? 'en' : 'tr');

const fieldId = (name: string) => `f-${name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;

/** The label a field's error is listed under in the summary at the top of the form. */
function fieldLabel(req: Request, name: string): string {
  const row = /^(steps|indicators)\[(\d+)\]\[(\w+)\]$/.exec(name);
  if (row) {
    const [, list, index, field] = row;
    const n = Number(index) + 1;
    return list === 'steps'
      ? `${req.t('catalogue:form.stepN', { n })} — ${req.t(`catalogue:fields.step.${field}`)}`
      : `${req.t('catalogue:form.indicatorN', { n })} — ${req.t(`catalogue:fields.indicator.${field}`)}`;
  }
  const nested = /^(requirements|contact)\[(\w+)\]$/.exec(name);
  if (nested) return req.t(`catalogue:fields.${nested[1]}.${nested[2]}`);
  // Whole groups (a conflict names them) are labelled by their section heading.
  if (name === 'steps' || name === 'indicators' || name === 'requirements' || name === 'contact') return req.t(`catalogue:show.${name}`);
  return req.t(`catalogue:fields.${name}`);
}

/** A stored value as one readable line (the conflict notice shows the latest saved values). */
function describe(req: Request, field: EditableField, input: ModelInput): string {
  const lang = req.language === 'en' ? 'en' : 'tr';
  const fmt = new Intl.NumberFormat(LOCALE_OF[lang]);
  switch (field) {
    case 'themes':
      return input.themes.map((c) => termLabel(THEMES, c, lang)).join(', ');
    case 'approaches':
      return input.approaches.map((c) => termLabel(APPROACHES, c, lang)).join(', ');
    case 'targetGroups':
      return input.targetGroups.map((c) => termLabel(TARGET_GROUPS, c, lang)).join(', ');
    case 'difficulty':
      return input.difficulty ? termLabel(DIFFICULTIES, input.difficulty, lang) : '';
    case 'featured':
      return req.t(input.featured ? 'catalogue:conflict.yes' : 'catalogue:conflict.no');
    case 'description':
      return input.description.length > 280 ? `${input.description.slice(0, 280)}…` : input.description;
    case 'requirements':
      return REQUIREMENT_KEYS.flatMap((k) => (input.requirements[k] ? [`${req.t(`catalogue:fields.requirements.${k}`)}: ${input.requirements[k]}`] : [])).join(' · ');
    case 'contact':
      return CONTACT_KEYS.flatMap((k) => (input.contact[k] ? [`${req.t(`catalogue:fields.contact.${k}`)}: ${input.contact[k]}`] : [])).join(' · ');
    case 'steps':
      return input.steps.map((s, i) => `${i + 1}. ${s.title}`).join(' · ');
    case 'indicators':
      return input.indicators.map((x) => `${x.name}: ${fmt.format(x.value)}${x.unit ? ` ${x.unit}` : ''}`).join(' · ');
    default: {
      const value = input[field];
      return value === null ? '' : String(value);
    }
  }
}

export async function renderModelForm(req: Request, res: Response, page: FormPage, uploadMaxBytes: number): Promise<void> {
  const errors = page.errors ?? {};
  const model = page.model;
  const locale = LOCALE_OF[req.language === 'en' ? 'en' : 'tr'];
  const origin = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  const docs = model ? await documentsOf({ kind: 'Model', id: model._id }, { purpose: 'document', includeInternal: true }) : [];
  let conflict;
  if (page.conflict) {
    const latestInput = inputOf(page.conflict.latest);
    conflict = {
      savedAt: page.conflict.latest.updatedAt,
      fields: changedSince(page.conflict.base, latestInput).map((f) => ({ field: f, label: fieldLabel(req, f), latest: describe(req, f, latestInput) })),
    };
  }
  res.status(page.status ?? 200).render('catalogue/form', {
    title: page.mode === 'new' ? req.t('catalogue:form.newHeading') : req.t('catalogue:form.editHeading', { title: model?.title ?? '' }),
    mode: page.mode,
    model,
    values: page.values,
    errors,
    errorList: Object.entries(errors).map(([name, message]) => ({ id: fieldId(name), label: fieldLabel(req, name), message })),
    conflict,
    documents: docs.map((d) => documentView(d, locale, origin)),
    cover: model?.coverImage ? String(model.coverImage) : undefined,
    upload: page.upload,
    coverUpload: page.coverUpload,
    maxMb: Math.round(uploadMaxBytes / (1024 * 1024)),
    accept: [...DOCUMENT_EXTS.map((e) => `.${e}`), ...new Set(DOCUMENT_EXTS.map((e) => ACCEPTED_TYPES[e]))].join(','),
  });
}
