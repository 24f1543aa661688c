/**
 * Export and import of the whole registry as newline-delimited Extended JSON (types kept: ObjectId,
 * Date…): how the demo installation's data moves to a production MongoDB, and a portable backup
 * beside mongodump. Plain finds and inserts only, so it runs on FerretDB and MongoDB alike.
 */
import { BSON, type Db, type Document } from 'mongodb';

const { EJSON } = BSON;

/** Collections that are state of a running app, not data: never exported. */
const SKIPPED = new Set(['sessions', 'rate_limits', 'meta']);

export type ExportSummary = Record<string, number>;

export async function exportDatabase(db: Db, write: (line: string) => void | Promise<void>): Promise<ExportSummary> {
  const summary: ExportSummary = {};
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !SKIPPED.has(n) && !n.startsWith('system.')).sort();
  await write(JSON.stringify({ format: 'registry-export', version: 1, exportedAt: new Date().toISOString(), collections: names }));
  for (const name of names) {
    summary[name] = 0;
    for await (const doc of db.collection(name).find({}).sort({ _id: 1 })) {
      await write(EJSON.stringify({ c: name, d: doc }, { relaxed: false }));
      summary[name] += 1;
    }
  }
  return summary;
}

export class ImportError extends Error {}

/**
 * Imports an export into `db`. Refuses a target that already holds data in any of the exported
 * collections (no silent merge); documents keep their _id, so references between them hold.
 */
export async function importDatabase(db: Db, lines: AsyncIterable<string>): Promise<ExportSummary> {
  const summary: ExportSummary = {};
  let header: { format?: string; collections?: string[] } | undefined;
  const batches = new Map<string, Document[]>();
  const flush = async (name: string) => {
    const batch = batches.get(name);
    if (batch?.length) await db.collection(name).insertMany(batch, { ordered: true });
    batches.set(name, []);
  };
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo += 1;
    const line = raw.trim();
    if (!line) continue;
    if (!header) {
      header = JSON.parse(line) as { format?: string; collections?: string[] };
      if (header.format !== 'registry-export' || !Array.isArray(header.collections)) throw new ImportError('not a registry export (first line is not its header)');
      for (const name of header.collections) {
        if ((await db.collection(name).estimatedDocumentCount()) > 0) throw new ImportError(`the target already has data in "${name}": import into an empty database`);
      }
      continue;
    }
    const entry: unknown = EJSON.parse(line, { relaxed: false });
    if (!entry || typeof entry !== 'object' || !('c' in entry) || !('d' in entry) || typeof entry.c !== 'string' || !header.collections?.includes(entry.c)) {
      throw new ImportError(`line ${lineNo} is not an exported document`);
    }
    const doc = entry.d;
    if (!doc || typeof doc !== 'object') throw new ImportError(`line ${lineNo} has no document`);
    const batch = batches.get(entry.c) ?? [];
    batch.push(doc);
    batches.set(entry.c, batch);
    summary[entry.c] = (summary[entry.c] ?? 0) + 1;
    if (batch.length >= 500) await flush(entry.c);
  }
  if (!header) throw new ImportError('the file is empty');
  for (const name of batches.keys()) await flush(name);
  return summary;
}
