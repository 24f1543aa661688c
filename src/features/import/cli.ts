/**
 * `npm run import-sheet -- --kind transfers FILE.xlsx [--dry-run] [--as EMAIL]`: the import from the
 * shell, for the first migration of a larger archive. Same reading, planning, writing and report
 * as the pages (the refused rows with their problems, in Turkish), no preview kept: `--dry-run`
 * stops after the plan. The import is recorded as made by `--as` (an active office or admin
 * account), by default the earliest active admin.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TFunction } from 'i18next';
import { User } from '../accounts/user.model.js';
import { IMPORT_KINDS, isImportKind, type ImportKind } from './fields.js';
import { analyse, importPlanned, isAnalysis } from './import.service.js';
import { problemText, refusalArgs } from './messages.js';

export type SheetCommand = { kind: ImportKind; file: string; dryRun: boolean; as: string | undefined };

export function parseSheetArgs(argv: readonly string[]): { ok: true; command: SheetCommand } | { ok: false; error: string } {
  let kind: string | undefined;
  let as: string | undefined;
  let dryRun = false;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--kind') kind = argv[++i];
    else if (a === '--as') as = argv[++i];
    else if (a === '--dry-run') dryRun = true;
    else if (a.startsWith('--')) return { ok: false, error: `unknown option ${a}` };
    else files.push(a);
  }
  if (!isImportKind(kind)) return { ok: false, error: `--kind must be one of ${IMPORT_KINDS.join(', ')}` };
  if (files.length !== 1 || !files[0]) return { ok: false, error: 'give exactly one file' };
  return { ok: true, command: { kind, file: files[0], dryRun, as } };
}

type Out = { out: (line: string) => void; err: (line: string) => void };

export async function executeSheetCommand(cmd: SheetCommand, io: Out, t: TFunction, maxBytes: number): Promise<number> {
  let size: number;
  try {
    size = statSync(cmd.file).size;
  } catch {
    io.err(`${cmd.file}: no such file`);
    return 1;
  }
  if (size > maxBytes) {
    io.err(`${cmd.file}: ${t('import:errors.tooLarge', { size: `${Math.round(maxBytes / 1024 / 1024)} MB` })} ${t('import:errors.nothingWritten')}`);
    return 1;
  }
  const filter = cmd.as ? { email: cmd.as.trim().toLowerCase() } : { role: 'admin' };
  const user = await User.findOne({ ...filter, active: true, role: { $in: ['office', 'admin'] } }).sort({ createdAt: 1 }).select('email').lean<{ _id: unknown; email: string }>();
  if (!user) {
    io.err(cmd.as ? `--as ${cmd.as}: no active office or admin account with that e-mail` : 'no active admin account: create one (npm run user) or pass --as EMAIL');
    return 1;
  }
  const a = await analyse(cmd.kind, readFileSync(cmd.file));
  if (!isAnalysis(a)) {
    io.err(`${cmd.file}: ${t(`import:errors.${a.code}`, refusalArgs(a.args, 'tr'))} ${t('import:errors.nothingWritten')}`);
    return 1;
  }
  const name = path.basename(cmd.file);
  if (a.missing.length) {
    io.err(`${name}: ${t('import:preview.missing', { fields: a.missing.map((k) => t(`import:fields.${k}`)).join(', ') })}`);
    return 1;
  }
  io.out(`${name}: ${a.sheet.rows.length} rows, preview ${(a.ms / 1000).toFixed(1)} s — create ${a.counts.create}, update ${a.counts.update}, unchanged ${a.counts.unchanged}, refused ${a.counts.refused}`);
  const cells = new Map(a.sheet.rows.map((r) => [r.line, r.cells]));
  for (const p of a.plans.filter((x) => x.action === 'refused')) {
    for (const problem of p.problems) io.out(`  ${problemText(t, 'tr', a.sheet.headers, p.line, cells.get(p.line), problem)}`);
  }
  if (cmd.dryRun) {
    io.out('dry run: nothing written');
    return 0;
  }
  const result = await importPlanned(cmd.kind, a.plans, { actor: { id: String(user._id), email: user.email }, fileName: name });
  io.out(`imported as ${user.email} in ${(result.ms / 1000).toFixed(1)} s: created ${result.created}, updated ${result.updated}, unchanged ${result.unchanged}, refused ${result.refused}, failed ${result.failed.length}`);
  for (const f of result.failed) io.err(`  row ${f.line}: ${f.reason}`);
  return result.failed.length ? 1 : 0;
}
