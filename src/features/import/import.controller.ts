/**
 * The import pages: upload (with the kind and the templates), preview (with the column mapping,
 * the refused rows and the confirm form), result. Every message is in the page's language.
 */
import type { Request, Response } from 'express';
import { AppError } from '../../shared/errors.js';
import { flash } from '../../shared/http/flash.js';
import { parseForm } from '../../shared/http/validation.js';
import { datedFilename } from '../../shared/http/table-export.js';
import { uploadRefusal } from '../documents/upload.js';
import { cleanOriginalName } from '../documents/documents.service.js';
import { fieldsOf, IMPORT_KINDS, isImportKind, type ImportKind } from './fields.js';
import { analyse, confirmPreview, createPreview, discardPreview, isAnalysis, loadPreview, previewRows, remapPreview, type PreviewDoc } from './import.service.js';
import { readMapping, uploadFields } from './import.validation.js';
import { columnName, problemText, refusalArgs } from './messages.js';
import { MAX_ROWS } from './sheet.js';
import { refusedWorkbook, templateWorkbook } from './sheets-out.js';

const langOf = (req: Request): 'tr' | 'en' => (req.language === 'en' ? 'en' : 'tr');
const megabytes = (bytes: number, lang: 'tr' | 'en') => `${new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'tr-TR', { maximumFractionDigits: 1 }).format(bytes / 1024 / 1024)} MB`;
const seconds = (ms: number, lang: 'tr' | 'en') => new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'tr-TR', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(ms / 1000);

/** Rows listed on the preview page (the refused-rows download has them all). */
const SHOWN = 200;

export function importController(uploadMaxBytes: number) {
  const renderUpload = (req: Request, res: Response, status = 200, values: { kind?: string } = {}, errors: Record<string, string> = {}, formError?: string) => {
    const lang = langOf(req);
    res.status(status).render('import/index', {
      title: req.t('import:heading'),
      kinds: IMPORT_KINDS,
      values: { kind: values.kind ?? '' },
      errors,
      formError,
      maxRows: MAX_ROWS,
      maxSize: megabytes(uploadMaxBytes, lang),
    });
  };

  const userId = (req: Request) => {
    if (!req.user) throw AppError.forbidden();
    return req.user.id;
  };

  const previewFor = (req: Request) => loadPreview(String(req.params.id), userId(req));

  async function renderPreview(req: Request, res: Response, p: PreviewDoc): Promise<void> {
    const lang = langOf(req);
    const { rows, plans } = await previewRows(p);
    const cellsOf = new Map(rows.map((r) => [r.line, r.cells]));
    const refused = plans.filter((x) => x.action === 'refused');
    const accepted = plans.filter((x) => x.action === 'create' || x.action === 'update');
    const fields = fieldsOf(p.kind);
    res.render('import/preview', {
      title: req.t(p.status === 'imported' ? 'import:result.heading' : 'import:preview.heading', { file: p.fileName }),
      p,
      kindLabel: req.t(`import:kinds.${p.kind}`),
      seconds: (ms: number) => seconds(ms, lang),
      columns: p.headers.map((h, i) => ({ index: i, name: columnName(p.headers, i), header: h, field: p.mapping[i] ?? '' })),
      fieldOptions: fields.map((f) => ({ value: f.key, label: req.t(`import:fields.${f.key}`) + (f.required ? ' *' : '') })),
      missing: p.missing.map((k) => req.t(`import:fields.${k}`)).join(', '),
      refused: refused.slice(0, SHOWN).map((x) => ({ line: x.line, label: x.label, problems: x.problems.map((pr) => problemText(req.t, lang, p.headers, x.line, cellsOf.get(x.line), pr)) })),
      refusedCount: refused.length,
      accepted: accepted.slice(0, SHOWN),
      acceptedCount: accepted.length,
      shown: SHOWN,
      toWrite: (p.counts.create ?? 0) + (p.counts.update ?? 0),
      recordsHref: `/${p.kind}`,
    });
  }

  return {
    page(req: Request, res: Response) {
      renderUpload(req, res);
    },

    async upload(req: Request, res: Response) {
      const lang = langOf(req);
      const kind = typeof req.body?.kind === 'string' ? req.body.kind : '';
      const refusal = uploadRefusal(req);
      if (refusal === 'too-large') return renderUpload(req, res, 413, { kind }, { file: req.t('import:errors.tooLarge', { size: megabytes(uploadMaxBytes, lang) }) }, req.t('import:errors.nothingWritten'));
      if (refusal === 'invalid') return renderUpload(req, res, 422, { kind }, { file: req.t('import:errors.invalid') });
      const parsed = parseForm(uploadFields, { kind });
      const errors: Record<string, string> = {};
      if (!parsed.ok) errors.kind = req.t('import:errors.kind');
      if (!req.file || req.file.size === 0) errors.file = req.t(req.file ? 'import:errors.empty' : 'import:errors.fileRequired');
      if (!parsed.ok || !req.file || Object.keys(errors).length) return renderUpload(req, res, 422, { kind }, errors);
      const file = req.file;
      const a = await analyse(parsed.data.kind, file.buffer);
      if (!isAnalysis(a)) return renderUpload(req, res, 422, { kind }, { file: req.t(`import:errors.${a.code}`, refusalArgs(a.args, lang)) }, req.t('import:errors.nothingWritten'));
      const id = await createPreview(parsed.data.kind, a, { userId: userId(req), fileName: cleanOriginalName(file.originalname) });
      res.redirect(303, `/import/${String(id)}`);
    },

    async template(req: Request, res: Response) {
      const kind = String(req.params.kind);
      if (!isImportKind(kind)) throw AppError.notFound();
      const body = await templateWorkbook(kind, langOf(req), req.t);
      res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      res.attachment(`${datedFilename(`${req.t('import:heading')}-${req.t(`import:kinds.${kind}`)}`.toLocaleLowerCase('tr-TR'))}.xlsx`);
      res.send(body);
    },

    async show(req: Request, res: Response) {
      await renderPreview(req, res, await previewFor(req));
    },

    async columns(req: Request, res: Response) {
      const p = await previewFor(req);
      if (p.status !== 'preview') return res.redirect(303, `/import/${String(p._id)}`);
      await remapPreview(p, readMapping(p.kind as ImportKind, req.body, p.headers.length));
      flash(req, 'success', 'import:flash.remapped');
      res.redirect(303, `/import/${String(p._id)}#columns`);
    },

    async confirm(req: Request, res: Response) {
      const p = await previewFor(req);
      if (p.status !== 'preview' || p.missing.length) return res.redirect(303, `/import/${String(p._id)}`);
      const user = req.user;
      if (!user) throw AppError.forbidden();
      await confirmPreview(p, { actor: { id: user.id, email: user.email }, ip: req.ip, fileName: p.fileName });
      res.redirect(303, `/import/${String(p._id)}`);
    },

    async discard(req: Request, res: Response) {
      const p = await previewFor(req);
      if (p.status === 'preview') {
        await discardPreview(p);
        flash(req, 'success', 'import:flash.discarded');
      }
      res.redirect(303, '/import');
    },

    async refused(req: Request, res: Response) {
      const p = await previewFor(req);
      const { rows, plans } = await previewRows(p);
      const body = await refusedWorkbook(p.headers, rows, plans, langOf(req), req.t);
      const base = p.fileName.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '-').slice(0, 60) || 'import';
      res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      res.attachment(`${base}-${langOf(req) === 'en' ? 'refused' : 'sorunlu'}.xlsx`);
      res.send(body);
    },
  };
}
