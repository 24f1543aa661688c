import mongoose from 'mongoose';
import { clientAddressKey } from '../../shared/http/client-address.js';
import { RateLimiterMemory, RateLimiterMongo, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * Failed sign-in limits, per account and per IP. On MONGODB_URI they live in MongoDB so they hold
 * across app servers; on the embedded FerretDB (whose `$inc` is not atomic) in this process's
 * memory, which is exact there because the embedded server belongs to one process.
 */
export const ACCOUNT_FAILURES = 10;
export const IP_FAILURES = 50;
const WINDOW_S = 15 * 60;
const BLOCK_S = 15 * 60;

/**
 * One sign-in attempt, taken before the password is checked: the attempt's point is consumed first
 * (atomically, in memory or by MongoDB's upsert), so parallel requests cannot all pass a check made
 * before any failure was counted.
 */
export type Attempt =
  | {
      allowed: false;
      /** Milliseconds until sign-in may be tried again. */
      lockedMs: number;
      /** The address was still under its own limit: worth an audit row (a flood writes none). */
      addressUnderLimit: boolean;
    }
  | {
      allowed: true;
      /** The password was wrong; answers how long the account is now locked for (0: not locked). */
      failed(): Promise<number>;
      /** The password was right: the account's failures are forgotten and the address gets its point back. */
      succeeded(): Promise<void>;
    };

export type LoginLimits = {
  begin(email: string, ip: string): Promise<Attempt>;
};

export function createLoginLimits(useMongo: boolean): LoginLimits {
  const make = (keyPrefix: string, points: number): RateLimiterAbstract =>
    useMongo
      ? new RateLimiterMongo({ storeClient: mongoose.connection, dbName: mongoose.connection.name, tableName: 'rate_limits', keyPrefix, points, duration: WINDOW_S, blockDuration: BLOCK_S })
      : new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_S, blockDuration: BLOCK_S });
  const account = make('login_account', ACCOUNT_FAILURES);
  const ip = make('login_ip', IP_FAILURES);

  return {
    async begin(email, address) {
      const key = email.trim().toLowerCase();
      const addr = clientAddressKey(address);
      const byIp = await take(ip, addr);
      if (!byIp.ok) return { allowed: false, lockedMs: byIp.res.msBeforeNext, addressUnderLimit: false };
      // A refused attempt on a locked account keeps the address's point: hammering it is bounded too.
      const byAccount = await take(account, key);
      if (!byAccount.ok) return { allowed: false, lockedMs: byAccount.res.msBeforeNext, addressUnderLimit: true };
      const taken = byAccount.res;
      return {
        allowed: true,
        failed: async () => (taken.consumedPoints >= ACCOUNT_FAILURES ? Math.max(60_000, taken.msBeforeNext) : 0),
        succeeded: async () => {
          await Promise.all([account.delete(key), ip.reward(addr, 1)]);
        },
      };
    },
  };
}

/** Consumes one point; a refusal by the limiter is an answer, any other error is thrown. */
async function take(limiter: RateLimiterAbstract, key: string): Promise<{ ok: true; res: RateLimiterRes } | { ok: false; res: RateLimiterRes }> {
  try {
    return { ok: true, res: await limiter.consume(key) };
  } catch (err) {
    if (err instanceof RateLimiterRes) return { ok: false, res: err };
    throw err;
  }
}
