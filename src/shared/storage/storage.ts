import type { Readable } from 'node:stream';

/**
 * Where uploaded bytes live. Features only ever hold the opaque `storedName` it returns (never a
 * user's file name), so another store (object storage, a database) can replace the directory one
 * without touching them.
 */
export interface FileStorage {
  /** Stores the bytes under a new random name and returns that name. */
  put(data: Buffer, ext?: string): Promise<string>;
  /** Opens a stored file for reading; rejects with code 'ENOENT' when it is gone. */
  open(storedName: string): Promise<Readable>;
  /** Removes a stored file; removing one that is already gone is not an error. */
  delete(storedName: string): Promise<void>;
}
