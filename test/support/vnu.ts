/** The Nu HTML checker (vnu-jar on the machine's Java; scripts/test.sh installs Java when missing). */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const vnuJar = createRequire(import.meta.url).resolve('vnu-jar/build/dist/vnu.jar');

export type VnuMessage = { type: string; url: string; lastLine?: number; message: string };

/** Validates HTML pages (name → html) and returns the checker's error messages. */
export async function validateHtml(pages: Record<string, string>): Promise<VnuMessage[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vnu-'));
  try {
    const files = await Promise.all(
      Object.entries(pages).map(async ([name, html]) => {
        const file = path.join(dir, `${name}.html`);
        await writeFile(file, html);
        return file;
      }),
    );
    const { stderr } = await run('java', ['-jar', vnuJar, '--errors-only', '--format', 'json', '--exit-zero-always', ...files], { maxBuffer: 10 * 1024 * 1024 });
    return (JSON.parse(stderr || '{"messages":[]}') as { messages: VnuMessage[] }).messages;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** "file:line message" lines, for an assertion that shows what is wrong. */
export const describeMessages = (messages: VnuMessage[]) => messages.map((m) => `${path.basename(m.url)}:${m.lastLine ?? '?'} ${m.message}`);
