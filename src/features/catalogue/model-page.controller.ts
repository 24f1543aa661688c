import type { Request, Response } from 'express';
import { Types } from 'mongoose';
import { z } from 'zod';
import { LOCALE_OF } from '../../shared/i18n.js';
import { flash } from '../../shared/http/flash.js';
import { hasPage } from '../../shared/http/navigation.js';
import { parseForm } from '../../shared/http/validation.js';
import { can } from '../accounts/privileges.js';
import { audit, auditContext } from '../audit/audit.service.js';
import { documentsOf } from '../documents/documents.service.js';
import { documentView } from '../documents/presenter.js';
import { Municipality } from '../municipalities/municipality.model.js';
import { requestModel } from '../transfers/request.service.js';
import { Transfer, transferIdFor } from '../transfers/transfer.model.js';
import type { State } from '../transfers/workflow.js';
import { adoptionOf } from './catalogue.service.js';
import { modelFor, movedUrl } from './lookup.js';
import { tooLong } from './catalogue.validation.js';
import { renderMarkdown } from './markdown.js';
import type { ModelRecord } from './model-form.js';

const origin = (req: Request) => `${req.protocol}://${req.get('host') ?? 'localhost'}`;
const localeOf = (req: Request) => LOCALE_OF[req.language === 'en' ? 'en' : 'tr'];

async function myTransfer(req: Request, model: ModelRecord) {
  if (!req.user?.municipalityId || !Types.ObjectId.isValid(req.user.municipalityId)) return undefined;
  const found = await Transfer.findById(transferIdFor(model._id, req.user.municipalityId)).select('status').lean<{ _id: Types.ObjectId; status: State }>();
  return found ?? undefined;
}

export async function show(req: Request, res: Response): Promise<void> {
  const { model, moved } = await modelFor(req);
  if (moved) return res.redirect(301, movedUrl(req, model.slug));
  const staff = can(req.user, 'models:read-drafts');
  const [docs, adoption, transfer] = await Promise.all([documentsOf({ kind: 'Model', id: model._id }, { purpose: 'document', includeInternal: staff }), adoptionOf(model), myTransfer(req, model)]);
  res.render('catalogue/show', {
    title: req.language === 'en' && model.titleEn ? model.titleEn : model.title,
    description: model.summary,
    model,
    descriptionHtml: renderMarkdown(model.description),
    documents: docs.map((d) => documentView(d, localeOf(req), origin(req))),
    cover: model.coverImage ? String(model.coverImage) : undefined,
    adoption,
    myTransfer: transfer,
    // Linked only once the transfer pages exist, so the link never leads to a 404.
    transferHref: transfer && hasPage('/transfers/:id') ? `/transfers/${transfer._id}` : undefined,
    pageUrl: `${origin(req)}/models/${model.slug}`,
  });
}

const requestSchema = z.object({ note: z.string().trim().max(2000, tooLong(2000)).optional() });

/** Why this user cannot request the model, as an i18n key (undefined: they can). */
function blockedReason(req: Request, model: ModelRecord): string | undefined {
  if (model.status !== 'published') return 'catalogue:request.notPublished';
  if (!req.user?.municipalityId || !Types.ObjectId.isValid(req.user.municipalityId)) return 'catalogue:request.noMunicipality';
  return undefined;
}

async function renderRequestPage(req: Request, res: Response, model: ModelRecord, extra: { status?: number; values?: Record<string, string>; errors?: Record<string, string> } = {}) {
  const blocked = blockedReason(req, model);
  const existing = blocked ? undefined : await myTransfer(req, model);
  const municipality = req.user?.municipalityId && !blocked ? await Municipality.findById(req.user.municipalityId).select('name').lean<{ name: string }>() : null;
  res.status(extra.status ?? (blocked ? 403 : 200)).render('catalogue/request', {
    title: req.t('catalogue:request.heading'),
    model,
    blocked,
    existing: existing && existing.status !== 'cancelled' ? existing : undefined,
    municipalityName: municipality?.name ?? '',
    values: extra.values ?? {},
    errors: extra.errors ?? {},
  });
}

export async function requestForm(req: Request, res: Response): Promise<void> {
  const { model, moved } = await modelFor(req);
  if (moved) return res.redirect(301, movedUrl(req, model.slug));
  await renderRequestPage(req, res, model);
}

export async function request(req: Request, res: Response): Promise<void> {
  const { model } = await modelFor(req);
  const user = req.user;
  if (!user || blockedReason(req, model) || !user.municipalityId) return renderRequestPage(req, res, model);
  const parsed = parseForm(requestSchema, req.body);
  if (!parsed.ok) return renderRequestPage(req, res, model, { status: 422, values: { note: String(req.body?.note ?? '') }, errors: parsed.errors });

  const outcome = await requestModel({ model, municipalityId: user.municipalityId, by: user.id, note: parsed.data.note });
  if (outcome.kind === 'already') {
    flash(req, 'info', 'catalogue:request.already', { status: req.t(`common:status.${outcome.status}`) });
  } else {
    await audit({
      action: 'transfer.requested',
      ...auditContext(req),
      target: { kind: 'Transfer', id: String(outcome.transferId), label: model.title },
      details: { model: String(model._id), municipality: user.municipalityId, reopened: outcome.kind === 'reopened' },
    });
    flash(req, 'success', outcome.kind === 'reopened' ? 'catalogue:request.reopened' : 'catalogue:request.created');
  }
  res.redirect(303, `/models/${model.slug}`);
}
