import type { Application, Request } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { toCurrentUser } from './current-user.js';
import { dummyHash, verifyPassword } from './password.js';
import { User, type UserDoc } from './user.model.js';

export type SignInPolicy = {
  /** Demo accounts (demo: true, shared published password) are refused in production. */
  isProduction: boolean;
};

/**
 * passport is one object per process while a process may build several apps (the tests build a
 * development and a production app side by side), so each app's policy is kept by app and read
 * from the request, and the strategies are registered once.
 */
const policies = new WeakMap<Application, SignInPolicy>();
let registered = false;

const OBJECT_ID = /^[0-9a-f]{24}$/i;

function policyOf(req: Request): SignInPolicy {
  return policies.get(req.app) ?? { isProduction: true }; // an unconfigured app gets the strict policy
}

/** May this account hold a session under the policy? */
function mayUse(user: UserDoc, policy: SignInPolicy): boolean {
  return user.active && !(policy.isProduction && user.demo);
}

/**
 * The session stores `<user id>:<session epoch>` only. Every request reloads the user, so a disabled
 * account, a role change or a password change (which bumps the epoch) takes effect at once.
 */
export function configurePassport(app: Application, policy: SignInPolicy): void {
  policies.set(app, policy);
  if (registered) return;
  registered = true;

  passport.use(
    'local',
    new LocalStrategy({ usernameField: 'email', passwordField: 'password', passReqToCallback: true }, (req, email, password, done) => {
      (async () => {
        const user = await User.findOne({ email: String(email).trim().toLowerCase() }).select('+passwordHash');
        // Same work and same answer for an unknown e-mail, a wrong password, a disabled account
        // and (in production) a demo account.
        const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash()), String(password));
        if (!user || !ok || !mayUse(user, policyOf(req))) return done(null, false);
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

  passport.deserializeUser((req: Request, value: unknown, done: (err: unknown, user?: Express.User | false) => void) => {
    const [id, epoch] = String(value).split(':');
    if (!id || !OBJECT_ID.test(id)) return done(null, false);
    User.findById(id)
      .then((u) => {
        if (!u || !mayUse(u, policyOf(req)) || String(u.sessionEpoch ?? 0) !== epoch) return done(null, false);
        done(null, toCurrentUser(u));
      })
      .catch(done);
  });
}
