import { currentDataVersion } from './mongoose.js';

type Entry<T> = { version: number; value: T };

/**
 * Caches one computed value per key until the data version of the models it is computed from
 * changes (`scopes`: model names such as 'Model' or 'Transfer'). Pages that scan a collection use
 * it; the version is read from the tiny `meta` collection, so it is correct across several app servers.
 *
 * Concurrent misses for one key share a single computation. With `staleWhileRevalidate`, a key that
 * has an older value answers with it at once while the new one is computed in the background
 * (for figures where a few seconds' lag is fine and a multi-second scan per write is not).
 */
export class VersionedCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly pending = new Map<string, Promise<T>>();

  constructor(
    private readonly scopes: readonly string[],
    private readonly maxEntries = 500,
    private readonly opts: { staleWhileRevalidate?: boolean } = {},
  ) {}

  async get(key: string, compute: () => Promise<T>): Promise<T> {
    const version = await currentDataVersion(this.scopes);
    const hit = this.entries.get(key);
    if (hit && hit.version === version) return hit.value;
    const refresh = this.refresh(key, version, compute);
    if (hit && this.opts.staleWhileRevalidate) {
      refresh.catch(() => undefined); // the next request tries again
      return hit.value;
    }
    return refresh;
  }

  /** The value for the current data version, never a stale one (waits for the computation). */
  async getFresh(key: string, compute: () => Promise<T>): Promise<T> {
    const version = await currentDataVersion(this.scopes);
    const hit = this.entries.get(key);
    return hit && hit.version === version ? hit.value : this.refresh(key, version, compute);
  }

  private refresh(key: string, version: number, compute: () => Promise<T>): Promise<T> {
    const flightKey = `${version}\u0000${key}`;
    let flight = this.pending.get(flightKey);
    if (!flight) {
      flight = compute()
        .then((value) => {
          const current = this.entries.get(key);
          if (!current || current.version <= version) {
            if (!current && this.entries.size >= this.maxEntries) this.entries.clear();
            this.entries.set(key, { version, value });
          }
          return value;
        })
        .finally(() => this.pending.delete(flightKey));
      this.pending.set(flightKey, flight);
    }
    return flight;
  }
}
