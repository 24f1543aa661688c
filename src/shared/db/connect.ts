import { mongoose } from './mongoose.js';

/** `monitorCommands`: emit the driver's command events (the test suite watches them). */
export async function connectDatabase(uri: string, opts: { monitorCommands?: boolean } = {}): Promise<typeof mongoose> {
  return mongoose.connect(uri, {
    monitorCommands: opts.monitorCommands ?? false,
    serverSelectionTimeoutMS: 3_000,
    connectTimeoutMS: 3_000,
    socketTimeoutMS: 30_000,
    heartbeatFrequencyMS: 2_000,
    maxPoolSize: 20,
  });
}

export async function ensureIndexes(): Promise<void> {
  for (const model of Object.values(mongoose.models)) {
    await model.createIndexes();
  }
}

/** Answers true when the database answers `ping` within `timeoutMs`. */
export async function pingDatabase(timeoutMs = 2_000): Promise<boolean> {
  const db = mongoose.connection.db;
  if (!db) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('ping timeout')), timeoutMs);
    });
    await Promise.race([db.command({ ping: 1 }), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

export async function disconnectDatabase(): Promise<void> {
  await mongoose.disconnect();
}
