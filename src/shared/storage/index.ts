import { DirectoryStorage } from './directory-storage.js';
import type { FileStorage } from './storage.js';

export type { FileStorage } from './storage.js';

const byDir = new Map<string, FileStorage>();

/** The app's file store for a configuration (one instance per upload directory). */
export function fileStorage(config: { uploadDir: string }): FileStorage {
  let storage = byDir.get(config.uploadDir);
  if (!storage) {
    storage = new DirectoryStorage(config.uploadDir);
    byDir.set(config.uploadDir, storage);
  }
  return storage;
}
