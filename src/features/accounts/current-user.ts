import type { UserDoc } from './user.model.js';

/** The request's view of a user: what passport puts on req.user (never the password hash). */
export function toCurrentUser(u: UserDoc): Express.User {
  return {
    id: String(u._id),
    email: u.email,
    name: u.name,
    role: u.role,
    municipalityId: u.municipality ? String(u.municipality) : undefined,
    language: u.language === 'en' ? 'en' : 'tr',
    mustChangePassword: !!u.mustChangePassword,
    previousSignInAt: u.previousLoginAt ?? undefined,
  };
}
