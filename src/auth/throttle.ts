// Login throttling that every app process shares: failed attempts per IP, and per email for unknown accounts
// (known accounts count failures on their own row: users.failed_login_count / locked_until).
import type pg from "pg";
import { RateLimiterPostgres } from "rate-limiter-flexible";

export interface LoginThrottle {
  /** Seconds until this key may try again, or 0. */
  blockedFor(key: string): Promise<number>;
  recordFailure(key: string): Promise<void>;
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
    async blockedFor(key) {
      const state = await limiter.get(key);
      if (!state || state.consumedPoints < points) return 0;
      return Math.ceil(state.msBeforeNext / 1000);
    },
    async recordFailure(key) {
      await limiter.penalty(key, 1);
    },
  };
}
