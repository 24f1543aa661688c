import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dictionary } from '@zxcvbn-ts/language-common';
import argon2 from 'argon2';
import { REFERENCE_DIR } from '../../shared/paths.js';

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256; // long passphrases welcome; the cap only bounds hashing work

/** Case-folding for comparisons: Turkish rules, then dotless ı as i ("QWERTYUIOP" is "qwertyuiop"). */
const fold = (s: string) => s.toLocaleLowerCase('tr-TR').replace(/ı/g, 'i');

/**
 * Refused passwords: zxcvbn-ts's list of ~49,000 passwords most seen in breaches (only those long
 * enough to pass the length rule matter) plus our own file of Turkish favourites and local patterns.
 */
let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  if (common) return common;
  const ours = readFileSync(path.join(REFERENCE_DIR, 'common-passwords.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  common = new Set([...dictionary['passwords-common'], ...ours].filter((p) => p.length >= PASSWORD_MIN).map(fold));
  return common;
}

/**
 * The password policy: the i18n key of what is wrong, or undefined when the password is acceptable.
 * `forAnotherUser`: someone (an admin) is setting the password of the account `email` belongs to,
 * so the message speaks of "the user's e-mail address" rather than "your e-mail address".
 */
export function passwordProblem(password: string, email?: string, opts: { forAnotherUser?: boolean } = {}): string | undefined {
  if (password.length < PASSWORD_MIN) return 'validation:passwordTooShort';
  if (password.length > PASSWORD_MAX) return 'validation:passwordTooLong';
  const folded = fold(password);
  if (commonPasswords().has(folded)) return 'validation:passwordCommon';
  const local = fold(email?.split('@')[0] ?? '');
  if (local.length >= 4 && folded.includes(local)) return opts.forAnotherUser ? 'validation:passwordHasUserEmail' : 'validation:passwordHasEmail';
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
