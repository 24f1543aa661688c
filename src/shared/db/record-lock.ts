/**
 * Serializes writes to the same record within this process.
 *
 * An embedded server belongs to exactly one app process, so queueing writes per record here is
 * exact. FerretDB v1 needs it: it runs an update as a read followed by a whole-document write, so two
 * conditional updates of one document can both "succeed". mongo-java-server does not (its updates
 * are atomic, see engines.ts), but the lock also keeps rules that span records (the last active
 * admin) from racing, so it stays on for every embedded engine. On MongoDB (`enabled = false`) this
 * is a pass-through: the conditional update itself is atomic there, and several app servers may run.
 */
export class RecordLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(private readonly enabled: boolean) {}

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if (!this.enabled) return fn();
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

let current = new RecordLock(false);

/** Set once at start-up: on for the embedded database, off for MONGODB_URI. */
export function configureRecordLock(enabled: boolean): void {
  current = new RecordLock(enabled);
}

export function withRecordLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  return current.run(key, fn);
}
