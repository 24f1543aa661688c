import path from 'node:path';
import ejs from 'ejs';
import type { Express, Request, RequestHandler } from 'express';
import { can } from '../../features/accounts/privileges.js';
import { formPageOf, navigationFor } from './navigation.js';
import { isLang, LOCALE_OF, type Lang } from '../i18n.js';
import { VIEWS_DIR } from '../paths.js';
import * as ref from '../../reference/index.js';

/**
 * EJS with one layout: a page template renders first, then `layout.ejs` wraps it with `body`.
 * A page can opt out with `layout: false` (e.g. a fragment).
 */
export function setupViews(app: Express, opts: { cache: boolean }): void {
  app.engine('ejs', (file: string, options: object, cb: (e: unknown, html?: string) => void) => {
    const locals = options as Record<string, unknown>;
    ejs.renderFile(file, locals, { cache: opts.cache, async: false }, (err, body) => {
      if (err) return cb(err);
      if (locals.layout === false) return cb(null, body);
      ejs.renderFile(path.join(VIEWS_DIR, 'layout.ejs'), { ...locals, body }, { cache: opts.cache }, cb);
    });
  });
  app.set('view engine', 'ejs');
  app.set('views', VIEWS_DIR);
}

export function formatters(lang: Lang) {
  const locale = LOCALE_OF[lang];
  const dateFmt = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Istanbul' });
  const dateTimeFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Istanbul' });
  const numberFmt = new Intl.NumberFormat(locale);
  return {
    formatDate: (d: Date | string | null | undefined) => (d ? dateFmt.format(new Date(d)) : ''),
    formatDateTime: (d: Date | string | null | undefined) => (d ? dateTimeFmt.format(new Date(d)) : ''),
    formatNumber: (n: number | null | undefined) => (n === null || n === undefined ? '' : numberFmt.format(n)),
    /** yyyy-mm-dd for <input type="date"> */
    isoDate: (d: Date | string | null | undefined) => (d ? new Date(d).toISOString().slice(0, 10) : ''),
  };
}

/** Builds a URL for the current page with some query parameters changed (facets, pagination, language). */
export function urlWith(current: string, changes: Record<string, string | number | undefined | null>): string {
  const url = new URL(current, 'http://x');
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === null || v === '') url.searchParams.delete(k);
    else url.searchParams.set(k, String(v));
  }
  const qs = url.searchParams.toString();
  // A path such as "/x/..//evil.example" normalises to "//evil.example": never a link to another host.
  return url.pathname.replace(/^\/{2,}/, '/') + (qs ? `?${qs}` : '');
}

/**
 * The address to load the current page again (in another language, say). A page answering a GET is
 * its own URL; one answering a form post goes to the page that holds the form, with the route's
 * parameters (its own URL may have no page at all, e.g. `POST /account/password`).
 */
function pageToReload(req: Request): string {
  const routePath: unknown = req.route?.path;
  if (req.method === 'GET' || typeof routePath !== 'string') return req.method === 'GET' ? req.originalUrl : '/';
  const page = formPageOf(routePath);
  if (!page) return '/';
  return page.replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(String(req.params[name] ?? '')));
}

/**
 * Locals every template can use: `t`, the language, formatters, reference labels. Set before the
 * session so that even an error raised there (database down) renders inside the layout.
 */
export function baseLocals(): RequestHandler {
  return (req, res, next) => {
    const lang: Lang = isLang(req.language) ? req.language : 'tr';
    res.locals.lang = lang;
    res.locals.t = req.t;
    res.locals.user = undefined;
    res.locals.can = () => false;
    res.locals.navigation = navigationFor(undefined);
    res.locals.csrfToken = '';
    res.locals.currentUrl = req.originalUrl;
    res.locals.urlWith = (changes: Record<string, string | number | undefined | null>) => urlWith(req.originalUrl, changes);
    res.locals.languageUrl = (to: Lang) => urlWith(pageToReload(req), { lang: to });
    res.locals.term = (terms: readonly ref.Term[], code: string) => ref.termLabel(terms, code, lang);
    res.locals.ref = ref;
    res.locals.errors = {};
    res.locals.values = {};
    res.locals.flash = [];
    Object.assign(res.locals, formatters(lang));
    next();
  };
}

/** Locals that need the session: the signed-in user, `can` (the privileges module), queued messages. */
export function userLocals(): RequestHandler {
  return (req, res, next) => {
    res.locals.user = req.user;
    res.locals.can = (right: Parameters<typeof can>[1]) => can(req.user, right);
    res.locals.navigation = navigationFor(req.user);
    res.locals.flash = req.session.flash ?? [];
    delete req.session.flash;
    next();
  };
}
