// Login throttling that every app process shares: failed attempts per IP, and per email for unknown accounts
// (known accounts count failures on their own row: users.failed_login_count / locked_until).
import type pg from "pg";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";

export interface Reservation {
  allowed: boolean;
  /** Attempts left in the window after this one. */
  remaining: number;
  /** Seconds until the key may try again, when not allowed. */
  waitSeconds: number;
}

export interface LoginThrottle {
  /**
   * Takes one attempt from the key's allowance before the password is checked, so that a burst of parallel
   * guesses cannot all be checked before the first failure is counted.
   */
  reserve(key: string): Promise<Reservation>;
  /** Gives the attempt back (a successful sign-in does not count against the key). */
  release(key: string): Promise<void>;
}

export function createLoginThrottle(pool: pg.Pool, prefix: string, points: number, windowSeconds: number): LoginThrottle {
  const limiter = new RateLimiterPostgres({
    storeClient: pool,
    storeType: "pool",
    tableName: "login_throttle",
    tableCreated: true, // the table comes from our migrations
    clearExpiredByTimeout: false,
    keyPrefix: prefix,
    points,
    duration: windowSeconds,
  });
  return {
    async reserve(key) {
      try {
        const result = await limiter.consume(key, 1);
        return { allowed: true, remaining: result.remainingPoints, waitSeconds: 0 };
      } catch (refusal) {
        if (!(refusal instanceof RateLimiterRes)) throw refusal; // the store failed: not a refusal
        return { allowed: false, remaining: 0, waitSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
      }
    },
    async release(key) {
      await limiter.reward(key, 1);
    },
  };
}
