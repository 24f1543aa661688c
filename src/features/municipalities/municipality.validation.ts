/**
 * The municipality forms: the profile (name, kind, province, notes, contacts) and the short "add a
 * municipality" form. Every value arrives as a string; messages are i18n keys keyed by the form
 * field's name (contacts as `contacts[i][name]`). Contacts arrive as a whole list plus blank rows:
 * blank rows are dropped and the service replaces the array in one update.
 */
import { z } from 'zod';
import { isCode, MUNICIPALITY_KINDS, provinceByName, type Province } from '../../reference/index.js';
import type { FieldErrors } from '../../shared/http/validation.js';
import type { MunicipalityKind } from './identity.js';

export const MAX_CONTACTS = 20;
export const CONTACT_FIELDS = ['name', 'title', 'email', 'phone'] as const;
export type ContactRow = Record<(typeof CONTACT_FIELDS)[number], string>;

export type MunicipalityFormValues = {
  name: string;
  kind: string;
  province: string;
  notes: string;
  contacts: ContactRow[];
  version: string;
};

export type MunicipalityInput = {
  name: string;
  kind: MunicipalityKind;
  province: Province;
  notes: string | null;
  contacts: { name: string; title?: string; email?: string; phone?: string }[];
  version: number;
};

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export function formValues(body: unknown): MunicipalityFormValues {
  const b = isRecord(body) ? body : {};
  const raw = Array.isArray(b.contacts) ? b.contacts : isRecord(b.contacts) ? Object.values(b.contacts) : [];
  const contacts = raw.slice(0, MAX_CONTACTS + 5).map((c) => {
    const r = isRecord(c) ? c : {};
    return { name: str(r.name).trim(), title: str(r.title).trim(), email: str(r.email).trim(), phone: str(r.phone).trim() };
  });
  return { name: str(b.name).trim(), kind: str(b.kind), province: str(b.province), notes: str(b.notes).trim(), contacts, version: str(b.version) };
}

const email = z.email();

/** Checks the typed form: the input for the service, or field messages. `withProfile`: the full profile form (notes, contacts). */
export function parseMunicipalityForm(values: MunicipalityFormValues, withProfile: boolean): { ok: true; data: MunicipalityInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (!values.name) errors.name = 'validation:required';
  else if (values.name.length > 120) errors.name = 'validation:maxChars.120';
  const kindOk = isCode(MUNICIPALITY_KINDS, values.kind);
  if (!kindOk) errors.kind = values.kind ? 'validation:invalid' : 'validation:required';
  const province = provinceByName(values.province);
  if (!province) errors.province = values.province ? 'validation:invalid' : 'validation:required';
  if (province && kindOk && values.kind === 'buyuksehir' && !province.metropolitan) errors.kind = 'municipalities:form.notMetropolitan';
  if (province && kindOk && values.kind === 'belde' && province.metropolitan) errors.kind = 'municipalities:form.noBeldeInMetropolitan';
  const contacts: MunicipalityInput['contacts'] = [];
  if (withProfile) {
    if (values.notes.length > 5000) errors.notes = 'validation:tooLong';
    const filled = values.contacts.filter((c) => c.name || c.title || c.email || c.phone);
    if (filled.length > MAX_CONTACTS) errors.contacts = 'validation:invalid';
    values.contacts.forEach((c, i) => {
      if (!(c.name || c.title || c.email || c.phone)) return;
      const at = (f: string) => `contacts[${i}][${f}]`;
      if (!c.name) errors[at('name')] = 'validation:required';
      for (const f of ['name', 'title'] as const) if (c[f].length > 120) errors[at(f)] = 'validation:maxChars.120';
      if (c.email && !email.safeParse(c.email).success) errors[at('email')] = 'validation:email';
      if (c.phone.length > 40) errors[at('phone')] = 'validation:maxChars.40';
      contacts.push({ name: c.name, ...(c.title ? { title: c.title } : {}), ...(c.email ? { email: c.email.toLowerCase() } : {}), ...(c.phone ? { phone: c.phone } : {}) });
    });
  }
  if (Object.keys(errors).length || !province) return { ok: false, errors };
  const version = Number(values.version);
  return {
    ok: true,
    data: { name: values.name, kind: values.kind as MunicipalityKind, province, notes: values.notes || null, contacts, version: Number.isInteger(version) ? version : -1 },
  };
}
