import mongoose from 'mongoose';
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

export type LoginLimits = {
  /** Milliseconds until sign-in may be tried again, or 0 when allowed. */
  lockedFor(email: string, ip: string): Promise<number>;
  /** Records a failure; answers true when this failure locked the account. */
  recordFailure(email: string, ip: string): Promise<boolean>;
  recordSuccess(email: string): Promise<void>;
  /**
   * Counts an attempt refused during a lock-out against the address, so that hammering a locked
   * account is bounded too; answers false once the address is over its own limit.
   */
  recordRefused(ip: string): Promise<boolean>;
};

export function createLoginLimits(useMongo: boolean): LoginLimits {
  const make = (keyPrefix: string, points: number): RateLimiterAbstract =>
    useMongo
      ? new RateLimiterMongo({ storeClient: mongoose.connection, dbName: mongoose.connection.name, tableName: 'rate_limits', keyPrefix, points, duration: WINDOW_S, blockDuration: BLOCK_S })
      : new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_S, blockDuration: BLOCK_S });
  const account = make('login_account', ACCOUNT_FAILURES);
  const ip = make('login_ip', IP_FAILURES);
  const accountKey = (email: string) => email.trim().toLowerCase();

  const remaining = async (limiter: RateLimiterAbstract, key: string, points: number): Promise<number> => {
    const res = await limiter.get(key);
    return res && res.consumedPoints >= points ? res.msBeforeNext : 0;
  };

  return {
    async lockedFor(email, addr) {
      const [a, b] = await Promise.all([remaining(account, accountKey(email), ACCOUNT_FAILURES), remaining(ip, addr, IP_FAILURES)]);
      return Math.max(a, b);
    },
    async recordFailure(email, addr) {
      await ip.consume(addr).catch(swallowLimit);
      try {
        const res = await account.consume(accountKey(email));
        return res.consumedPoints >= ACCOUNT_FAILURES;
      } catch (err) {
        swallowLimit(err);
        return false; // already locked
      }
    },
    async recordSuccess(email) {
      await account.delete(accountKey(email));
    },
    async recordRefused(addr) {
      try {
        await ip.consume(addr);
        return true;
      } catch (err) {
        swallowLimit(err);
        return false;
      }
    },
  };
}

function swallowLimit(err: unknown): void {
  if (!(err instanceof RateLimiterRes)) throw err;
}
