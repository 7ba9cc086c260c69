// Every sort order and filter of the lists, each requested alone (no other load) by the staff user and the manager:
// the load cases measure one view of each list, and a sort order without an index to walk read and sorted every row
// the reader may see without any case showing it. `npm run bench` runs these after the load cases (BENCH_ONLY=variants
// alone) and reports each one's median and slowest time; VARIANT_TARGET_MS is the bar.
import pg from "pg";

export const VARIANT_TARGET_MS = 50;

export interface Variant {
  /** The list and what it varies, e.g. "clients sort=status". */
  name: string;
  path: string;
}

export interface VariantResult extends Variant {
  reader: string;
  status: number;
  medianMs: number;
  maxMs: number;
}

/** The paths, with ids of the bench's data (a category, a busy account manager, a case type, and so on). */
export async function variantPaths(url: string, search: { clients: string; cases: string; documents: string; communications: string; leads: string }): Promise<Variant[]> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const one = async (sql: string) => (await db.query<{ id: string }>(sql)).rows[0]?.id;
  try {
    const category = await one("SELECT id FROM client_categories ORDER BY name LIMIT 1");
    const manager = await one("SELECT account_manager_id AS id FROM clients WHERE account_manager_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1");
    const caseType = await one("SELECT id FROM case_types ORDER BY name LIMIT 1");
    const caseManager = await one("SELECT manager_id AS id FROM cases GROUP BY 1 ORDER BY count(*) DESC LIMIT 1");
    const documentType = await one("SELECT id FROM document_types ORDER BY position LIMIT 1");
    const uploader = await one("SELECT created_by_id AS id FROM documents GROUP BY 1 ORDER BY count(*) DESC LIMIT 1");
    const logger = await one("SELECT logged_by_id AS id FROM communications GROUP BY 1 ORDER BY count(*) DESC LIMIT 1");
    const owner = await one("SELECT owner_id AS id FROM leads GROUP BY 1 ORDER BY count(*) DESC LIMIT 1");
    const campaign = await one("SELECT campaign_id AS id FROM leads WHERE campaign_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1");
    const q = encodeURIComponent;
    const list = (base: string, variants: (string | false | undefined)[]) =>
      variants.filter((v): v is string => Boolean(v)).map((v) => ({ name: `${base.slice(1).replace("pipeline/", "")} ${v}`, path: `${base}?${v}` }));
    const month = (() => {
      const d = new Date();
      const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
      const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 0)).toISOString().slice(0, 10);
      return `from=${first}&to=${last}`;
    })();
    return [
      ...list("/clients", [
        "sort=name&dir=desc", "sort=code", "sort=status", "sort=status&dir=desc", "sort=lastContact", "sort=lastContact&dir=asc", "sort=created",
        `q=${q(search.clients)}`, "type=individual", "status=archived", category && `category=${category}`, manager && `manager=${manager}`,
        manager && `poc=${manager}`, "attention=urgent", "attention=warning", "attention=never", "mine=1",
      ]),
      ...list("/cases", [
        "sort=number", "sort=title", "sort=client", "sort=client&dir=desc", "sort=status", "sort=priority", "sort=review", "sort=updated&dir=asc", "sort=created",
        `q=${q(search.cases)}`, "status=closed", "priority=high", caseType && `type=${caseType}`, caseManager && `manager=${caseManager}`, "overdue=1",
      ]),
      ...list("/documents", [
        "sort=uploaded&dir=asc", "sort=title&dir=asc", "sort=title&dir=desc", "sort=size&dir=desc", "sort=updated&dir=desc",
        `q=${q(search.documents)}`, documentType && `type=${documentType}`, uploader && `uploader=${uploader}`, month, "privileged=yes", "privileged=no",
      ]),
      ...list("/communications", [
        `q=${q(search.communications)}`, "type=phone", "important=1", "attachments=1", month, logger && `loggedBy=${logger}`,
      ]),
      ...list("/pipeline/leads", [
        "sort=company", "sort=score", `q=${q(search.leads)}`, "status=qualified", owner && `owner=${owner}`, campaign && `campaign=${campaign}`, "source=partner",
      ]),
      ...list("/pipeline/prospects", [
        "sort=updated", "sort=company", "sort=value", "sort=close", "stage=negotiation", owner && `owner=${owner}`, campaign && `campaign=${campaign}`,
      ]),
    ];
  } finally {
    await db.end();
  }
}

/** Each variant requested `times` times one after the other (after one unmeasured request) with the reader's cookie. */
export async function measureVariants(origin: string, readers: { name: string; cookie: string }[], variants: Variant[], times = 7): Promise<VariantResult[]> {
  const results: VariantResult[] = [];
  for (const variant of variants) {
    for (const reader of readers) {
      const fetchOnce = async () => {
        const started = performance.now();
        const response = await fetch(`${origin}${variant.path}`, { redirect: "manual", headers: { cookie: reader.cookie, accept: "text/html" } });
        await response.arrayBuffer();
        return { status: response.status, ms: performance.now() - started };
      };
      await fetchOnce();
      const runs: { status: number; ms: number }[] = [];
      for (let i = 0; i < times; i++) runs.push(await fetchOnce());
      const sorted = runs.map((r) => r.ms).sort((a, b) => a - b);
      const failed = runs.find((r) => r.status !== 200);
      results.push({ ...variant, reader: reader.name, status: failed?.status ?? 200, medianMs: sorted[sorted.length >> 1]!, maxMs: sorted.at(-1)! });
    }
  }
  return results;
}
