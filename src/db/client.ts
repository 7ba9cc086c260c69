// One pg pool per process, shared by Prisma (through the driver adapter) and the session store.
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import { registerPool } from "./sql.ts";

export type Db = PrismaClient;
export type { Prisma } from "../generated/prisma/client.ts";

export interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
  close(): Promise<void>;
}

export function connectDatabase(url: string, options: { max?: number } = {}): Database {
  // The hot queries are named prepared statements (src/db/sql.ts) whose plans do not depend on the values; planning
  // them afresh for every call cost more than running them. No parallel workers: page queries are small, and under
  // concurrent requests starting workers cost more CPU than they saved. Set at connection start-up, so no query races it.
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, options: "-c plan_cache_mode=force_generic_plan -c max_parallel_workers_per_gather=0" });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  registerPool(prisma, pool);
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/** Transaction client type, for services that take part in a caller's transaction. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
