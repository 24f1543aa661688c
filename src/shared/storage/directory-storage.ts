import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FileStorage } from './storage.js';

/** Stored names are ours alone: 32 random hex characters and an optional detected extension. */
const STORED_NAME = /^[0-9a-f]{32}(?:\.[a-z0-9]{1,8})?$/;

export function isStoredName(name: string): boolean {
  return STORED_NAME.test(name);
}

/**
 * A FileStorage in one directory (UPLOAD_DIR; a shared volume when several app servers run).
 * Writes go to a temporary name first and are renamed into place, so a crash mid-write never
 * leaves a half file under a name a record points to.
 */
export class DirectoryStorage implements FileStorage {
  constructor(private readonly root: string) {}

  private pathOf(storedName: string): string {
    // Never a path from outside: the name must be one this class made.
    if (!isStoredName(storedName)) throw Object.assign(new Error(`not a stored name: ${storedName}`), { code: 'ENOENT' });
    return path.join(this.root, storedName);
  }

  async put(data: Buffer, ext?: string): Promise<string> {
    await mkdir(this.root, { recursive: true });
    const suffix = ext && /^[a-z0-9]{1,8}$/.test(ext) ? `.${ext}` : '';
    const storedName = `${randomBytes(16).toString('hex')}${suffix}`;
    const final = this.pathOf(storedName);
    const temp = path.join(this.root, `.${storedName}.${randomBytes(4).toString('hex')}.part`);
    try {
      await writeFile(temp, data, { flag: 'wx', mode: 0o640 });
      await rename(temp, final);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    return storedName;
  }

  async open(storedName: string): Promise<Readable> {
    const file = this.pathOf(storedName);
    const stream = createReadStream(file);
    // Surface "missing" before the caller sends headers.
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  }

  async delete(storedName: string): Promise<void> {
    await rm(this.pathOf(storedName), { force: true });
  }
}
