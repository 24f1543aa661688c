/**
 * Previews kept server-side between the upload and the confirming request (never in the session;
 * the file is not uploaded twice): the sheet's header and rows as read, the column mapping and
 * the plan shown. Rows are kept in parts of a thousand so a large file never nears the document
 * size limit. Both expire: every read filters on `expiresAt`, and each new upload deletes the
 * expired ones (FerretDB has no TTL indexes, so not the database itself; as with the sessions).
 * Working data of the import, not registry records: plain mongoose models, no data version.
 */
import { Schema } from 'mongoose';
import { mongoose } from '../../shared/db/mongoose.js';

export const PREVIEW_TTL_MS = 2 * 60 * 60 * 1000;
export const PART_SIZE = 1000;

const previewSchema = new Schema(
  {
    kind: { type: String, required: true },
    user: { type: Schema.Types.ObjectId, required: true },
    fileName: { type: String, required: true },
    format: { type: String, required: true },
    headers: { type: [String], default: [] },
    /** The field of each column ('' for a column left out). */
    mapping: { type: [String], default: [] },
    missing: { type: [String], default: [] },
    counts: { type: Schema.Types.Mixed, default: {} },
    rowCount: { type: Number, required: true },
    parts: { type: Number, required: true },
    previewMs: { type: Number, default: 0 },
    /** preview → importing → imported (or discarded). */
    status: { type: String, required: true, default: 'preview' },
    result: { type: Schema.Types.Mixed },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'importpreviews' },
);
previewSchema.index({ expiresAt: 1 });

const partSchema = new Schema(
  {
    preview: { type: Schema.Types.ObjectId, required: true },
    index: { type: Number, required: true },
    /** The rows as read: { line, cells }. */
    rows: { type: Schema.Types.Mixed, required: true },
    /** The plan of each row: { line, action, label, problems, changes }. */
    plans: { type: Schema.Types.Mixed, default: [] },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'importpreviewparts' },
);
partSchema.index({ preview: 1, index: 1 });
partSchema.index({ expiresAt: 1 });

export const ImportPreview = mongoose.model('ImportPreview', previewSchema);
export const ImportPreviewPart = mongoose.model('ImportPreviewPart', partSchema);
