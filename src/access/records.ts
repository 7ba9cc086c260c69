// Reads by id through the rules (clients.ts, cases.ts): the check a write makes after locking its row, and the
// filter a batch of ids (export, bulk update) goes through. Prisma then reads or writes the rows by id.
import { Prisma } from "../generated/prisma/client.ts";
import type { Db, Tx } from "../db/client.ts";
import { sqlRows } from "../db/sql.ts";
import { isUuid } from "../web/fields.ts";
import { NotFoundError } from "../errors.ts";
import type { CurrentUser } from "./roles.ts";
import { privilegedVisibleSql, visibleClientsSql } from "./clients.ts";
import { deletedCasesSql, visibleCasesSql } from "./cases.ts";

export interface VisibleClient {
  id: string;
  name: string;
  clientCode: string;
  clientType: string;
  status: string;
  dataClassification: string;
  /** Restricted ("confidential" in the form): visible to its team and "view confidential" holders only. */
  isConfidential: boolean;
  /** The reader is on the client's team: its privileged material is open to them. */
  privilegedVisible: boolean;
}

const CLIENT_ITEMS = (reader: CurrentUser) => Prisma.sql`c.id, c.name, c.client_code AS "clientCode", c.client_type::text AS "clientType",
  c.status::text AS status, c.data_classification::text AS "dataClassification", c.is_confidential AS "isConfidential",
  ${privilegedVisibleSql(reader, Prisma.sql`c.id`)} AS "privilegedVisible"`;

/**
 * The clients among `ids` the reader may see. `lock` takes their row locks first (FOR UPDATE), so a deletion or team
 * change committed while this waited counts.
 */
export async function visibleClients(db: Db | Tx, reader: CurrentUser, ids: readonly string[], options: { lock?: boolean } = {}): Promise<VisibleClient[]> {
  const wanted = ids.filter(isUuid);
  if (!wanted.length) return [];
  if (options.lock) await sqlRows(db, Prisma.sql`SELECT id FROM clients WHERE id = ANY(${wanted}::uuid[]) ORDER BY id FOR UPDATE`);
  return sqlRows<VisibleClient>(db, Prisma.sql`SELECT ${CLIENT_ITEMS(reader)} FROM clients c WHERE c.id = ANY(${wanted}::uuid[]) AND ${visibleClientsSql(reader, "c")}`);
}

/** One client the reader may see (locked when asked), or undefined for a hidden, missing or malformed id. */
export async function visibleClient(db: Db | Tx, reader: CurrentUser, id: unknown, options: { lock?: boolean } = {}): Promise<VisibleClient | undefined> {
  if (typeof id !== "string") return undefined;
  return (await visibleClients(db, reader, [id], options))[0];
}

/** Whether the reader may see case `id` (a live case, or a deleted one when `deleted`); `lock` locks its row first. */
export async function caseIsVisible(db: Db | Tx, reader: CurrentUser, id: unknown, options: { lock?: boolean; deleted?: boolean } = {}): Promise<boolean> {
  if (typeof id !== "string" || !isUuid(id)) return false;
  if (options.lock) await sqlRows(db, Prisma.sql`SELECT id FROM cases WHERE id = ${id}::uuid FOR UPDATE`);
  const rule = options.deleted ? deletedCasesSql(reader, "k") : visibleCasesSql(reader, "k");
  const rows = await sqlRows<{ id: string }>(db, Prisma.sql`SELECT k.id FROM cases k WHERE k.id = ${id}::uuid AND ${rule}`);
  return rows.length === 1;
}

/** One client the reader may see, locked when asked; NotFound for a hidden, missing or malformed id alike. */
export async function requireVisibleClient(db: Db | Tx, reader: CurrentUser, id: unknown, options: { lock?: boolean } = {}): Promise<VisibleClient> {
  const client = await visibleClient(db, reader, id, options);
  if (!client) throw new NotFoundError();
  return client;
}
