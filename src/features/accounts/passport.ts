import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { isValidObjectId } from 'mongoose';
import { toCurrentUser } from './current-user.js';
import { dummyHash, verifyPassword } from './password.js';
import { User } from './user.model.js';

/**
 * The session stores `<user id>:<session epoch>` only. Every request reloads the user, so a disabled
 * account, a role change or a password change (which bumps the epoch) takes effect at once.
 */
export function configurePassport(): void {
  passport.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, (email, password, done) => {
      (async () => {
        const user = await User.findOne({ email: String(email).trim().toLowerCase() }).select('+passwordHash');
        // Same work and same answer for an unknown e-mail, a wrong password and a disabled account.
        const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash()), String(password));
        if (!user || !ok || !user.active) return done(null, false);
        return done(null, toCurrentUser(user));
      })().catch(done);
    }),
  );

  passport.serializeUser((user, done) => {
    User.findById(user.id)
      .select('sessionEpoch')
      .lean()
      .then((u) => done(null, `${user.id}:${u?.sessionEpoch ?? 0}`))
      .catch(done);
  });

  passport.deserializeUser((value: string, done) => {
    const [id, epoch] = String(value).split(':');
    if (!id || !isValidObjectId(id)) return done(null, false);
    User.findById(id)
      .then((u) => {
        if (!u || !u.active || String(u.sessionEpoch ?? 0) !== epoch) return done(null, false);
        done(null, toCurrentUser(u));
      })
      .catch(done);
  });
}
