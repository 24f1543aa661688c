import { currentDataVersion } from './mongoose.js';

/**
 * Caches one computed value per key until the data version changes. Pages that must scan a
 * collection (FerretDB reads whole collections for most filters) use it; the version read is by
 * `_id`, which both engines answer from an index, and it is correct across several app servers.
 */
export class VersionedCache<T> {
  private readonly entries = new Map<string, { version: number; value: T }>();

  constructor(private readonly maxEntries = 500) {}

  async get(key: string, compute: () => Promise<T>): Promise<T> {
    const version = await currentDataVersion();
    const hit = this.entries.get(key);
    if (hit && hit.version === version) return hit.value;
    const value = await compute();
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { version, value });
    return value;
  }
}
