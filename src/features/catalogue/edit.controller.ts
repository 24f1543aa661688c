import type { Request, Response } from 'express';
import { AppError } from '../../shared/errors.js';
import { flash } from '../../shared/http/flash.js';
import { isLang, type Lang } from '../../shared/i18n.js';
import { audit, auditContext } from '../audit/audit.service.js';
import { changeStatus, createModel, saveModel, type StatusChange } from './catalogue.service.js';
import { readModelForm, relocalised, validateModelForm } from './catalogue.validation.js';
import { pageLang, renderModelForm } from './edit-page.js';
import { modelFor, movedUrl } from './lookup.js';
import { emptyFormValues, formValuesOf } from './model-form.js';

const target = (m: { _id: unknown; title: string }) => ({ kind: 'Model', id: String(m._id), label: m.title });

/**
 * The language the posted form's numbers were typed in: the one the form was shown in (its hidden
 * `numberLang` field), which is the page's language unless it was switched in another tab meanwhile.
 */
const formLang = (req: Request): Lang => {
  const posted: unknown = req.body?.numberLang;
  return isLang(posted) ? posted : pageLang(req);
};

/** The office's model editing: new, create, edit, save (optimistic), publish and archive. */
export function editController(uploadMaxBytes: number) {
  const render = (req: Request, res: Response, page: Parameters<typeof renderModelForm>[2]) => renderModelForm(req, res, page, uploadMaxBytes);

  return {
    async newForm(req: Request, res: Response) {
      await render(req, res, { mode: 'new', values: emptyFormValues() });
    },

    async create(req: Request, res: Response) {
      const lang = formLang(req);
      const values = readModelForm(req.body);
      const parsed = validateModelForm(values, lang);
      if (!parsed.ok) return render(req, res, { mode: 'new', values: relocalised(values, lang, pageLang(req)), errors: parsed.errors, status: 422 });
      const model = await createModel(parsed.data);
      await audit({ action: 'model.created', ...auditContext(req), target: target(model), details: { slug: model.slug } });
      flash(req, 'success', 'catalogue:flash.created');
      res.redirect(303, `/models/${model.slug}`);
    },

    async editForm(req: Request, res: Response) {
      const { model, moved } = await modelFor(req);
      if (moved) return res.redirect(301, movedUrl(req, model.slug));
      await render(req, res, { mode: 'edit', model, values: formValuesOf(model, pageLang(req)) });
    },

    async save(req: Request, res: Response) {
      const { model } = await modelFor(req);
      const lang = formLang(req);
      const values = readModelForm(req.body);
      // A save must name the revision it was based on; without one nothing could be checked.
      if (!/^\d{1,9}$/.test(values.rev)) throw new AppError('VALIDATION', 'missing revision');
      const rev = Number(values.rev);
      const parsed = validateModelForm(values, lang);
      if (!parsed.ok) return render(req, res, { mode: 'edit', model, values: relocalised(values, lang, pageLang(req)), errors: parsed.errors, status: 422 });

      const result = await saveModel(model._id, rev, parsed.data);
      if (result.kind === 'gone') throw AppError.notFound();
      if (result.kind === 'conflict') {
        // Nothing was written. Their input stays in the form, now based on the latest revision,
        // so saving again is a deliberate choice made after seeing what changed.
        const latest = result.latest;
        const rebased = { ...relocalised(values, lang, pageLang(req)), rev: String(latest.rev ?? 0), base: formValuesOf(latest, pageLang(req)).base };
        return render(req, res, { mode: 'edit', model: latest, values: rebased, status: 409, conflict: { latest, base: values.base } });
      }
      await audit({
        action: 'model.updated',
        ...auditContext(req),
        target: target(result.model),
        details: { fields: result.changed, rev: result.model.rev, ...(result.previousSlug ? { slug: { from: result.previousSlug, to: result.model.slug } } : {}) },
      });
      flash(req, 'success', 'catalogue:flash.saved');
      res.redirect(303, `/models/${result.model.slug}`);
    },

    status(change: StatusChange) {
      return async (req: Request, res: Response) => {
        const { model } = await modelFor(req);
        const result = await changeStatus(model._id, change);
        if (!result) {
          flash(req, 'error', 'catalogue:flash.statusUnchanged');
          return res.redirect(303, `/models/${model.slug}`);
        }
        await audit({ action: change === 'publish' ? 'model.published' : 'model.archived', ...auditContext(req), target: target(result.model), details: { from: result.from, to: result.model.status } });
        flash(req, 'success', change === 'publish' ? 'catalogue:flash.published' : 'catalogue:flash.archived');
        res.redirect(303, `/models/${result.model.slug}`);
      };
    },
  };
}
