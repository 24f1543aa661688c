/**
 * The demo office: loads src/demo/demo-data.json (the facts of shared/domain/FACTS.md plus
 * illustrative records marked demo) into the database.
 *
 * Idempotent: every record is looked up by its natural key first (model slug, municipality
 * identity key, visit date + format + first municipality, transfer model + municipality, user
 * e-mail) and only created when missing, so seeding twice duplicates nothing. Only plain finds,
 * creates and single-document updates: it runs unchanged on MongoDB and FerretDB v1.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Types } from 'mongoose';
import { z } from 'zod';
import { APPROACHES, TARGET_GROUPS, THEMES, isCode, provinceByName, type Term } from '../reference/index.js';
import { ROOT } from '../shared/paths.js';
import { searchKey } from '../shared/search-key.js';
import { slugify } from '../shared/slug.js';
import { hashPassword } from '../features/accounts/password.js';
import { ROLES } from '../features/accounts/roles.js';
import { User } from '../features/accounts/user.model.js';
import { refreshAdoption } from '../features/catalogue/catalogue.service.js';
import { DIFFICULTY_CODES, MODEL_STATUSES, ServiceModel } from '../features/catalogue/model.model.js';
import { modelSearchKeys } from '../features/catalogue/search-keys.js';
import { municipalityKeys } from '../features/municipalities/identity.js';
import { MUNICIPALITY_KIND_CODES, Municipality } from '../features/municipalities/municipality.model.js';
import { ACTIVE_STATES, checkInSchedule, IN_PROGRESS_STATES, nextCheckIn, PATH, STATES, stageIndex, type ActiveState, type State } from '../features/transfers/workflow.js';
import { Transfer } from '../features/transfers/transfer.model.js';
import { VISIT_FORMAT_CODES, Visit, quarterOf } from '../features/visits/visit.model.js';
import { newFollowUpKey } from '../features/visits/visit-form.js';
import { derivedFields, type StoredFollowUp } from '../features/visits/visits.service.js';

/** Read from src/ even when running compiled from dist/ (JSON is not copied by tsc). */
export const DEMO_DATA_FILE = path.join(ROOT, 'src', 'demo', 'demo-data.json');

// ---------------------------------------------------------------------------------------------
// The shape of demo-data.json, checked at load time.

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a YYYY-MM-DD date')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a valid date');
const text = z.string().trim().min(1);
const codeOf = (terms: readonly Term[], what: string) => z.string().refine((c) => isCode(terms, c), { message: `unknown ${what} code` });

const demoModelSchema = z.object({
  title: text,
  titleEn: text,
  themes: z.array(codeOf(THEMES, 'theme')).min(1),
  approaches: z.array(codeOf(APPROACHES, 'approach')).min(1),
  targetGroups: z.array(codeOf(TARGET_GROUPS, 'target group')),
  ownerUnit: text,
  yearStarted: z.number().int().min(1950).max(2100),
  status: z.enum(MODEL_STATUSES),
  featured: z.boolean().default(false),
  summary: text,
  description: z.string(),
  requirements: z.object({ staff: z.string(), budgetRange: z.string(), space: z.string(), partners: z.string(), legalBasis: z.string() }),
  steps: z.array(z.object({ title: text, description: z.string().optional(), typicalWeeks: z.number().int().min(0).max(520) })),
  indicators: z.array(z.object({ name: text, value: z.number(), unit: z.string().optional(), asOf: isoDate.optional() })),
  difficulty: z.enum(DIFFICULTY_CODES),
  monthsToLaunch: z.number().int().min(0).max(120),
  contact: z.object({ name: z.string(), email: z.string(), phone: z.string() }),
  demo: z.boolean().default(true),
  demoText: z.boolean().default(true),
});

const demoMunicipalitySchema = z.object({
  name: text,
  kind: z.enum(MUNICIPALITY_KIND_CODES),
  province: z.string().refine((p) => provinceByName(p) !== undefined, { message: 'unknown province' }),
  parent: text.optional(),
  hosted: z.boolean(),
  demo: z.boolean().default(true),
  contacts: z.array(z.object({ name: text, title: z.string().optional(), email: z.string().optional(), phone: z.string().optional() })),
  notes: z.string().optional(),
});

const demoVisitSchema = z.object({
  date: isoDate,
  format: z.enum(VISIT_FORMAT_CODES),
  municipalities: z.array(text).min(1),
  delegation: z.array(z.object({ name: text, title: z.string().optional() })),
  hostStaff: z.array(z.string()),
  models: z.array(text),
  summary: z.string(),
  followUps: z.array(z.object({ action: text, owner: z.string().optional(), due: isoDate.optional(), done: z.boolean() })),
  demo: z.boolean().default(true),
});

const demoTransferSchema = z
  .object({
    model: text,
    municipality: text,
    status: z.enum(STATES),
    heldFrom: z.enum(ACTIVE_STATES).optional(),
    /** For a cancelled transfer: the active state it was cancelled from (interest when absent). */
    leftFrom: z.enum(ACTIVE_STATES).optional(),
    reason: z.string().optional(),
    startedAt: isoDate,
    targetLaunchDate: isoDate.optional(),
    outcome: z.object({ launchDate: isoDate, beneficiaries: z.number().int().min(0) }).optional(),
    nextAction: z.string().optional(),
    nextActionDue: isoDate.optional(),
    /** Pins the last activity (stale, held and cancelled examples); otherwise it is a few weeks before seeding. */
    lastActivityAt: isoDate.optional(),
    stale: z.boolean().optional(),
    visit: z.number().int().min(0).optional(),
    mentor: z.string().optional(),
    demo: z.boolean().default(true),
  })
  .superRefine((t, ctx) => {
    if (t.status === 'operational' && !t.outcome) ctx.addIssue({ code: 'custom', message: 'an operational transfer needs an outcome with a launch date' });
    if (t.status === 'on_hold' && (!t.heldFrom || t.heldFrom === 'operational')) ctx.addIssue({ code: 'custom', message: 'on_hold needs heldFrom (an in-progress state)' });
    if ((t.status === 'on_hold' || t.status === 'cancelled') && !t.reason) ctx.addIssue({ code: 'custom', message: `${t.status} needs a reason` });
  });

const demoUserSchema = z.object({
  email: z.email(),
  role: z.enum(ROLES),
  name: text,
  municipality: text.optional(),
});

export const demoDataSchema = z.object({
  source: text,
  models: z.array(demoModelSchema),
  municipalities: z.array(demoMunicipalitySchema),
  visits: z.array(demoVisitSchema),
  transfers: z.array(demoTransferSchema),
  users: z.array(demoUserSchema),
});

export type DemoData = z.infer<typeof demoDataSchema>;
export type DemoModel = z.infer<typeof demoModelSchema>;
export type DemoMunicipality = z.infer<typeof demoMunicipalitySchema>;
export type DemoVisit = z.infer<typeof demoVisitSchema>;
export type DemoTransfer = z.infer<typeof demoTransferSchema>;

/** Cross-record checks the per-record schemas cannot make: every name resolves, parents come first, pairs are unique. */
function referenceProblems(data: DemoData): string[] {
  const problems: string[] = [];
  const titles = new Set(data.models.map((m) => m.title));
  const names = new Set<string>();
  for (const m of data.municipalities) {
    if (m.parent && !names.has(m.parent)) problems.push(`municipality ${m.name}: parent ${m.parent} must be listed before it`);
    if (names.has(m.name)) problems.push(`municipality ${m.name} is listed twice`);
    names.add(m.name);
  }
  data.visits.forEach((v, i) => {
    for (const n of v.municipalities) if (!names.has(n)) problems.push(`visit ${i}: unknown municipality ${n}`);
    for (const t of v.models) if (!titles.has(t)) problems.push(`visit ${i}: unknown model ${t}`);
  });
  const pairs = new Set<string>();
  data.transfers.forEach((t, i) => {
    if (!titles.has(t.model)) problems.push(`transfer ${i}: unknown model ${t.model}`);
    if (!names.has(t.municipality)) problems.push(`transfer ${i}: unknown municipality ${t.municipality}`);
    if (t.visit !== undefined && !data.visits[t.visit]) problems.push(`transfer ${i}: no visit ${t.visit}`);
    const pair = `${t.model}\u0000${t.municipality}`;
    if (pairs.has(pair)) problems.push(`transfer ${i}: ${t.model} / ${t.municipality} is listed twice`);
    pairs.add(pair);
  });
  for (const u of data.users) if (u.municipality && !names.has(u.municipality)) problems.push(`user ${u.email}: unknown municipality ${u.municipality}`);
  return problems;
}

/** Reads and checks demo-data.json; throws with every problem listed when it does not fit. */
export function loadDemoData(file: string = DEMO_DATA_FILE): DemoData {
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const parsed = demoDataSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`demo data (${file}) does not fit its schema:\n${z.prettifyError(parsed.error)}`);
  const problems = referenceProblems(parsed.data);
  if (problems.length) throw new Error(`demo data (${file}) has broken references:\n- ${problems.join('\n- ')}`);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Dates and the transfer timeline.

const DAY_MS = 86_400_000;

/** A calendar date at 10:00 UTC (office hours), never later than `now`. */
function officeTime(d: Date, now: Date): Date {
  const at = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 10));
  return at.getTime() > now.getTime() ? new Date(now.getTime()) : at;
}

const dateOf = (iso: string) => new Date(`${iso}T00:00:00Z`);
const between = (from: Date, to: Date, share: number) => new Date(from.getTime() + (to.getTime() - from.getTime()) * share);
const optionalDate = (iso: string | undefined) => (iso ? dateOf(iso) : undefined);

type HistoryEntry = { at: Date; by?: Types.ObjectId; from?: State; to: State; reason?: string; note?: string };
type ChecklistItem = { title: string; typicalWeeks?: number; done: boolean; doneAt?: Date };
type Comment = { at: Date; by?: Types.ObjectId; text: string };
type Step = { title: string; typicalWeeks?: number | null };

export type Timeline = {
  history: HistoryEntry[];
  stageEnteredAt: Partial<Record<State, Date>>;
  checklist: ChecklistItem[];
  comments: Comment[];
  lastActivityAt: Date;
};

/**
 * The history of a demo transfer: the workflow path from interest to the stage it reached, then
 * the hold or cancellation, spread between its start and its last activity (never after `now`).
 * An in-progress transfer not pinned as stale gets its last activity a few weeks before `now`
 * (a recent transition, or a progress comment when it is still at interest), so only the ones the
 * data marks stale show as stale whenever the demo is loaded.
 */
export function demoTimeline(t: DemoTransfer, index: number, steps: readonly Step[], now: Date, by: Types.ObjectId | undefined): Timeline {
  const reached: ActiveState = t.status === 'on_hold' ? (t.heldFrom ?? 'interest') : t.status === 'cancelled' ? (t.leftFrom ?? 'interest') : t.status;
  const states: State[] = [...PATH.slice(0, stageIndex(reached) + 1)];
  if (t.status === 'on_hold' || t.status === 'cancelled') states.push(t.status);

  const start = officeTime(dateOf(t.startedAt), now);
  const inProgress = IN_PROGRESS_STATES.includes(t.status);
  let end: Date;
  if (t.status === 'operational' && t.outcome) end = dateOf(t.outcome.launchDate);
  else if (t.lastActivityAt) end = dateOf(t.lastActivityAt);
  else end = new Date(now.getTime() - (5 + ((index * 13) % 40)) * DAY_MS); // 5–44 days ago: not stale
  end = officeTime(end, now);
  if (end.getTime() < start.getTime()) end = start;

  const history: HistoryEntry[] = states.map((to, k) => {
    const at = states.length === 1 ? start : officeTime(between(start, end, k / (states.length - 1)), now);
    const entry: HistoryEntry = { at, to };
    if (by) entry.by = by;
    const from = k > 0 ? states[k - 1] : undefined;
    if (from) entry.from = from;
    if (to === 'interest') entry.note = t.visit !== undefined ? 'Ziyarette talep edildi (demo).' : 'Belediyenin yazılı talebi (demo).';
    if (to === 'operational') entry.note = 'Hizmet hayata geçti (demo).';
    if ((to === 'on_hold' || to === 'cancelled') && t.reason) entry.reason = t.reason;
    return entry;
  });

  const stageEnteredAt: Partial<Record<State, Date>> = {};
  for (const entry of history) stageEnteredAt[entry.to] = entry.at;

  const lastEntry = history[history.length - 1];
  const lastHistoryAt = lastEntry ? lastEntry.at : start;
  const comments: Comment[] = [];
  if (inProgress && lastHistoryAt.getTime() < end.getTime()) {
    const comment: Comment = { at: end, text: `Belediyeyle durum görüşmesi yapıldı (demo).${t.nextAction ? ` Sıradaki adım: ${t.nextAction}` : ''}` };
    if (by) comment.by = by;
    comments.push(comment);
  }
  const lastActivityAt = comments.length && end.getTime() > lastHistoryAt.getTime() ? end : lastHistoryAt;

  // Steps done in proportion to the stage reached; all of them once operational.
  const reachedAt = stageEnteredAt[reached] ?? start;
  const share = reached === 'operational' ? 1 : stageIndex(reached) / (PATH.length - 1);
  const doneCount = Math.floor(steps.length * share);
  const checklist: ChecklistItem[] = steps.map((s, j) => {
    const item: ChecklistItem = { title: s.title, done: j < doneCount };
    if (typeof s.typicalWeeks === 'number') item.typicalWeeks = s.typicalWeeks;
    if (item.done) item.doneAt = officeTime(between(start, reachedAt, (j + 1) / doneCount), now);
    return item;
  });

  return { history, stageEnteredAt, checklist, comments, lastActivityAt };
}

/** The check-ins of a demo service launched on `launch`, none recorded yet. */
function demoCheckIns(launch: Date) {
  const checkIns = checkInSchedule(launch);
  return { checkIns, nextCheckInDue: nextCheckIn(checkIns), serviceStopped: false };
}

// ---------------------------------------------------------------------------------------------
// Seeding.

export type SeedOptions = { log: (line: string) => void; withDemoUsers: boolean; demoPassword: string };

export async function seedDemoData(opts: SeedOptions): Promise<{ created: Record<string, number> }> {
  const data = loadDemoData();
  const now = new Date();
  const created: Record<string, number> = { models: 0, municipalities: 0, visits: 0, transfers: 0, users: 0 };

  // Models, by slug.
  const modelIds = new Map<string, Types.ObjectId>();
  for (const m of data.models) {
    const slug = slugify(m.title);
    const existing = await ServiceModel.exists({ slug });
    if (existing) {
      modelIds.set(m.title, existing._id);
      continue;
    }
    const doc = await ServiceModel.create({
      title: m.title,
      titleEn: m.titleEn,
      slug,
      summary: m.summary,
      description: m.description,
      themes: m.themes,
      approaches: m.approaches,
      targetGroups: m.targetGroups,
      ownerUnit: m.ownerUnit,
      yearStarted: m.yearStarted,
      status: m.status,
      featured: m.featured,
      requirements: m.requirements,
      steps: m.steps,
      indicators: m.indicators.map((i) => ({ name: i.name, value: i.value, unit: i.unit, asOf: optionalDate(i.asOf) })),
      difficulty: m.difficulty,
      monthsToLaunch: m.monthsToLaunch,
      contact: m.contact,
      ...modelSearchKeys(m),
      publishedAt: m.status === 'published' ? now : undefined,
      demo: true,
    });
    modelIds.set(m.title, doc._id);
    created.models = (created.models ?? 0) + 1;
  }
  const stepsByModel = new Map<string, Step[]>();
  const modelDocs = await ServiceModel.find({ _id: { $in: [...modelIds.values()] } })
    .select('steps')
    .lean();
  for (const doc of modelDocs) stepsByModel.set(String(doc._id), doc.steps);

  // Municipalities, by identity key (parents come first in the file).
  const municipalityIds = new Map<string, Types.ObjectId>();
  for (const m of data.municipalities) {
    const keys = municipalityKeys(m.name, m.province);
    const existing = await Municipality.findOne({ identityKey: keys.identityKey }).select('source contacts notes').lean();
    if (existing) {
      municipalityIds.set(m.name, existing._id);
      // The national load came first (server start): the same record gets the demo contacts and notes, once.
      if (existing.source === 'national' && !existing.contacts?.length && !existing.notes && (m.contacts.length || m.notes)) {
        await Municipality.updateOne({ _id: existing._id }, { $set: { contacts: m.contacts, ...(m.notes ? { notes: m.notes } : {}) } });
      }
      continue;
    }
    const province = provinceByName(m.province);
    if (!province) throw new Error(`demo data: unknown province ${m.province}`);
    const doc = await Municipality.create({
      name: m.name,
      kind: m.kind,
      province: province.name,
      region: province.region,
      parent: m.parent ? municipalityIds.get(m.parent) : undefined,
      contacts: m.contacts,
      notes: m.notes,
      ...keys,
      demo: true,
      source: 'demo',
    });
    municipalityIds.set(m.name, doc._id);
    created.municipalities = (created.municipalities ?? 0) + 1;
  }
  const municipalityId = (name: string): Types.ObjectId => {
    const id = municipalityIds.get(name);
    if (!id) throw new Error(`demo data: unknown municipality ${name}`);
    return id;
  };
  const modelId = (title: string): Types.ObjectId => {
    const id = modelIds.get(title);
    if (!id) throw new Error(`demo data: unknown model ${title}`);
    return id;
  };

  // Visits, by date + format + first municipality.
  const visitIds: Types.ObjectId[] = [];
  for (const v of data.visits) {
    const date = dateOf(v.date);
    const municipalities = v.municipalities.map(municipalityId);
    const first = String(municipalities[0]);
    const sameDay = await Visit.find({ date, format: v.format }).select('municipalities').lean();
    const existing = sameDay.find((s) => String(s.municipalities[0]) === first);
    if (existing) {
      visitIds.push(existing._id);
      continue;
    }
    // The models the delegation asked for: those of the transfers the demo data says came from this visit.
    const visitIndex = visitIds.length;
    const requestedModels = [...new Set(data.transfers.filter((t) => t.visit === visitIndex).map((t) => t.model))].map(modelId);
    const followUps = v.followUps.map((f) => ({ key: newFollowUpKey(), action: f.action, owner: f.owner, due: optionalDate(f.due), done: f.done, doneAt: f.done ? optionalDate(f.due) : undefined }));
    const doc = await Visit.create({
      date,
      format: v.format,
      municipalities,
      delegation: v.delegation,
      hostStaff: v.hostStaff,
      models: v.models.map(modelId),
      requestedModels,
      summary: v.summary,
      followUps,
      ...derivedFields({ date, summary: v.summary, delegation: v.delegation, followUps }),
      quarter: quarterOf(date),
      demo: true,
    });
    visitIds.push(doc._id);
    created.visits = (created.visits ?? 0) + 1;
  }

  // Users, by e-mail (only when asked: never in production).
  if (opts.withDemoUsers) {
    for (const u of data.users) {
      const email = u.email.toLowerCase();
      if (await User.exists({ email })) continue;
      await User.create({
        email,
        name: u.name,
        role: u.role,
        municipality: u.municipality ? municipalityId(u.municipality) : undefined,
        passwordHash: await hashPassword(opts.demoPassword),
        passwordChangedAt: now,
        searchKey: searchKey(`${u.name} ${email}`),
        demo: true,
      });
      created.users = (created.users ?? 0) + 1;
    }
  }
  await linkFollowUpOwners();
  const mentors = new Map<string, Types.ObjectId | undefined>();
  const mentorId = async (email: string | undefined): Promise<Types.ObjectId | undefined> => {
    if (!email) return undefined;
    if (!mentors.has(email)) mentors.set(email, (await User.exists({ email: email.toLowerCase() }))?._id);
    return mentors.get(email);
  };

  // Transfers, by (model, municipality).
  for (const [index, t] of data.transfers.entries()) {
    const model = modelId(t.model);
    const municipality = municipalityId(t.municipality);
    if (await Transfer.exists({ model, municipality })) continue;
    const mentor = await mentorId(t.mentor);
    const timeline = demoTimeline(t, index, stepsByModel.get(String(model)) ?? [], now, mentor);
    await Transfer.create({
      model,
      municipality,
      status: t.status,
      heldFrom: t.status === 'on_hold' ? t.heldFrom : undefined,
      version: timeline.history.length,
      mentor,
      visit: t.visit !== undefined ? visitIds[t.visit] : undefined,
      targetLaunchDate: t.status === 'operational' ? undefined : optionalDate(t.targetLaunchDate),
      nextAction: t.nextAction,
      nextActionDue: optionalDate(t.nextActionDue),
      checklist: timeline.checklist,
      outcome: t.outcome ? { launchDate: dateOf(t.outcome.launchDate), beneficiaries: t.outcome.beneficiaries } : undefined,
      // A running service is checked on at 6, 12 and 24 months after its launch (none recorded in the demo).
      ...(t.status === 'operational' && t.outcome ? demoCheckIns(dateOf(t.outcome.launchDate)) : {}),
      history: timeline.history,
      comments: timeline.comments,
      stageEnteredAt: timeline.stageEnteredAt,
      lastActivityAt: timeline.lastActivityAt,
      demo: true,
    });
    created.transfers = (created.transfers ?? 0) + 1;
  }

  // Adoption counts on every model, from the transfers as they now are.
  for (const id of modelIds.values()) await refreshAdoption(id);

  opts.log(
    `demo data: created ${created.models} models, ${created.municipalities} municipalities, ${created.visits} visits, ` +
      `${created.transfers} transfers, ${created.users} users (records already present were left as they were)`,
  );
  return { created };
}

/**
 * Demo follow-ups name their owner ("Ayşe Demir (demo)"); once the demo users exist, a name that is
 * an office user's becomes that user (so their follow-ups count for them); other names stay as text.
 */
async function linkFollowUpOwners(): Promise<void> {
  const staff = await User.find({ role: { $in: ['office', 'admin'] }, demo: true }).select('name').lean();
  if (!staff.length) return;
  const byName = new Map(staff.map((u) => [u.name, u._id]));
  const visits = await Visit.find({ demo: true, 'followUps.owner': { $in: [...byName.keys()] } }).lean();
  for (const v of visits) {
    const followUps = (v.followUps as StoredFollowUp[]).map((f) => {
      const owner = f.owner ? byName.get(f.owner) : undefined;
      return owner && !f.ownerId ? { ...f, ownerId: owner, owner: null } : f;
    });
    const derived = derivedFields({ date: v.date, summary: v.summary, delegation: v.delegation, followUps });
    await Visit.updateOne({ _id: v._id, rev: v.rev ?? 0 }, { $set: { followUps, openFollowUps: derived.openFollowUps, followUpOwners: derived.followUpOwners }, $inc: { rev: 1 } });
  }
}
