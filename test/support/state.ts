/** Shared by the root hooks and the helpers: where the run's database is. */
export const testState: { uri: string; embedded: boolean; tmpDir: string } = { uri: '', embedded: false, tmpDir: '' };
