import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import i18next, { type i18n, type TFunction } from 'i18next';
import { LanguageDetector, handle } from 'i18next-http-middleware';
import type { RequestHandler } from 'express';
import { LOCALES_DIR } from './paths.js';

export const LANGUAGES = ['tr', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const LOCALE_OF: Record<Lang, string> = { tr: 'tr-TR', en: 'en-GB' };

export function isLang(v: unknown): v is Lang {
  return v === 'tr' || v === 'en';
}

/** Reads locales/<lang>/<namespace>.json: one namespace per feature, so features do not share a file. */
export function loadResources(): Record<string, Record<string, Record<string, unknown>>> {
  const resources: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const lang of LANGUAGES) {
    const dir = path.join(LOCALES_DIR, lang);
    resources[lang] = {};
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      resources[lang][path.basename(file, '.json')] = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    }
  }
  return resources;
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

let english: Record<string, Record<string, unknown>> | undefined;
/** An i18n key (a policy's or a form's message) in English, for the terminal and the logs. */
export function englishMessage(key: string): string {
  english ??= loadResources().en ?? {};
  const [ns = '', keyPath = ''] = key.split(':');
  let node: unknown = english[ns];
  for (const part of keyPath.split('.')) node = isRecord(node) ? node[part] : undefined;
  return typeof node === 'string' ? node : key;
}

export async function createI18n(): Promise<i18n> {
  const instance = i18next.createInstance();
  const resources = loadResources();
  await instance.use(LanguageDetector).init({
    resources,
    ns: Object.keys(resources.tr ?? {}),
    defaultNS: 'common',
    fallbackLng: 'tr',
    supportedLngs: [...LANGUAGES],
    nonExplicitSupportedLngs: false,
    load: 'languageOnly',
    interpolation: { escapeValue: false }, // EJS escapes on output (<%= %>)
    returnNull: false,
    detection: {
      // Turkish unless the user chose otherwise: ?lang= on any page switches and the cookie remembers
      // it. The cookie is written by rememberLanguageChoice below, only when a choice is made (the
      // detector's own cache would set it on every response, to every crawler).
      order: ['querystring', 'cookie'],
      lookupQuerystring: 'lang',
      lookupCookie: 'lang',
      caches: false,
      ignoreCase: true,
    },
  });
  return instance;
}

/** The language cookie: the whole site, whichever page the language was switched on; a year from each choice. */
export const LANG_COOKIE = { sameSite: 'lax', maxAge: 365 * 24 * 3600 * 1000, path: '/' } as const;

/** Writes the language cookie when ?lang= chooses a language the cookie does not already hold. */
const rememberLanguageChoice: RequestHandler = (req, res, next) => {
  const asked = typeof req.query.lang === 'string' ? req.query.lang.toLowerCase() : undefined;
  const cookies: Record<string, unknown> = req.cookies ?? {};
  if (asked && isLang(asked) && cookies.lang !== asked) res.cookie('lang', asked, LANG_COOKIE);
  next();
};

export function i18nMiddleware(instance: i18n): RequestHandler {
  const detect = handle(instance, { ignoreRoutes: ['/public/', '/healthz', '/readyz'] });
  return (req, res, next) => detect(req, res, (err?: unknown) => (err ? next(err) : rememberLanguageChoice(req, res, next)));
}

export type { TFunction };
