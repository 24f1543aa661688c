import { readFileSync } from 'node:fs';
import path from 'node:path';
import argon2 from 'argon2';
import { REFERENCE_DIR } from '../../shared/paths.js';

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256; // long passphrases welcome; the cap only bounds hashing work

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(path.join(REFERENCE_DIR, 'common-passwords.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim().toLocaleLowerCase('tr-TR'))
      .filter((l) => l && !l.startsWith('#')),
  );
  return common;
}

/** The password policy: the i18n key of what is wrong, or undefined when the password is acceptable. */
export function passwordProblem(password: string, email?: string): string | undefined {
  if (password.length < PASSWORD_MIN) return 'validation:passwordTooShort';
  if (password.length > PASSWORD_MAX) return 'validation:passwordTooLong';
  const lower = password.toLocaleLowerCase('tr-TR');
  if (commonPasswords().has(lower)) return 'validation:passwordCommon';
  if (email && lower.includes(email.toLowerCase().split('@')[0] ?? '\u0000') && (email.split('@')[0]?.length ?? 0) >= 4) return 'validation:passwordHasEmail';
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

// A real hash to verify against when the e-mail is unknown, so both failures take the same time.
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword('not-a-real-password-' + Math.random());
  return dummy;
}
