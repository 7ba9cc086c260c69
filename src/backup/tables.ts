// What a backup holds of the database: every table of the public schema (less the bookkeeping and transient ones),
// its stored columns (generated columns are recomputed on restore), the order that satisfies foreign keys, and the
// sequences owned by columns.
import type pg from "pg";

/** Written by the migrator itself on the target: checked against the manifest instead of copied. */
export const BOOKKEEPING_TABLES = ["_prisma_migrations", "_repeatable_migrations"] as const;
/** Sign-ins, login throttling and the one-time form keys (a day's double-submit guard): not records. A restore signs
 * everyone out and starts throttling afresh. */
export const TRANSIENT_TABLES = ["session", "login_throttle", "form_submissions"] as const;
/** Tables whose rows the migrations themselves insert (the default document types, the one row of security settings):
 * replaced by the backup's rows. */
export const SEEDED_TABLES = ["document_types", "security_settings"] as const;

const SKIPPED = new Set<string>([...BOOKKEEPING_TABLES, ...TRANSIENT_TABLES]);

export interface TableInfo {
  name: string;
  /** Stored columns, in table order; generated columns are left out (COPY cannot write them). */
  columns: string[];
  /** Tables this one references (other than itself). */
  references: string[];
}

export interface SequenceInfo {
  name: string;
  table: string;
  column: string;
}

type Queryable = Pick<pg.ClientBase, "query">;

/** The tables to back up, parents before children (foreign keys), each with its stored columns. */
export async function tablesToCopy(client: Queryable): Promise<TableInfo[]> {
  const tables = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
  );
  const columns = await client.query<{ table: string; column: string }>(
    `SELECT c.relname AS table, a.attname AS column
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      ORDER BY c.relname, a.attnum`,
  );
  const fks = await client.query<{ child: string; parent: string }>(
    `SELECT DISTINCT c.relname AS child, p.relname AS parent
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = 'public' AND c.relname <> p.relname`,
  );
  const byTable = new Map<string, TableInfo>();
  for (const { name } of tables.rows) if (!SKIPPED.has(name)) byTable.set(name, { name, columns: [], references: [] });
  for (const row of columns.rows) byTable.get(row.table)?.columns.push(row.column);
  for (const row of fks.rows) if (byTable.has(row.parent)) byTable.get(row.child)?.references.push(row.parent);
  return dependencyOrder([...byTable.values()]);
}

/**
 * Parents first. The schema has cycles of foreign keys (a case type and its default template, a client and the prospect
 * it came from): a cycle is broken at the table with the fewest unresolved references. The restore does not depend on
 * this order (it sets the foreign keys aside and checks them all at the end); it only keeps the dump readable.
 */
export function dependencyOrder(tables: TableInfo[]): TableInfo[] {
  const remaining = new Map(tables.map((t) => [t.name, t]));
  const ordered: TableInfo[] = [];
  const unresolved = (t: TableInfo) => t.references.filter((r) => remaining.has(r)).length;
  while (remaining.size) {
    let ready = [...remaining.values()].filter((t) => unresolved(t) === 0);
    if (!ready.length) {
      const fewest = Math.min(...[...remaining.values()].map(unresolved));
      ready = [[...remaining.values()].filter((t) => unresolved(t) === fewest).sort((a, b) => a.name.localeCompare(b.name))[0]!];
    }
    for (const table of ready.sort((a, b) => a.name.localeCompare(b.name))) {
      ordered.push(table);
      remaining.delete(table.name);
    }
  }
  return ordered;
}

export interface ForeignKey {
  table: string;
  name: string;
  definition: string;
}

/** The foreign keys between the given tables, with the definition that re-creates each one. */
export async function foreignKeysBetween(client: Queryable, tables: string[]): Promise<ForeignKey[]> {
  const { rows } = await client.query<ForeignKey>(
    `SELECT c.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = 'public' AND c.relname = ANY($1::text[]) AND p.relname = ANY($1::text[])
      ORDER BY c.relname, k.conname`,
    [tables],
  );
  return rows;
}

/** Sequences owned by a column of a public table (serial and identity columns). */
export async function ownedSequences(client: Queryable): Promise<SequenceInfo[]> {
  const { rows } = await client.query<SequenceInfo>(
    `SELECT s.relname AS name, t.relname AS table, a.attname AS column
       FROM pg_class s JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
       JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
       JOIN pg_namespace n ON n.oid = s.relnamespace
      WHERE s.relkind = 'S' AND n.nspname = 'public' AND d.deptype IN ('a', 'i') ORDER BY s.relname`,
  );
  return rows.filter((s) => !SKIPPED.has(s.table));
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function columnList(columns: string[]): string {
  return columns.map(quoteIdent).join(", ");
}
