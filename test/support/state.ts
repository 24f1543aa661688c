/** Shared by the root hooks and the helpers: where the run's database is. */
import type { Engine } from '../../src/shared/db/engines.js';

/** The suite's database: its URI, and the embedded engine it runs on (undefined on MONGODB_URI). */
export const testState: { uri: string; embedded: boolean; engine: Engine | undefined; tmpDir: string } = { uri: '', embedded: false, engine: undefined, tmpDir: '' };
