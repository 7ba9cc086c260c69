// The database stopping while the app runs: the app process on its own embedded PostgreSQL, the database stopped
// under it (pg_ctl stop, as a crash, a restart or maintenance would), requests then get a 503 page that says so (for
// pages, forms, the session store and JSON), /healthz reports the database down with a reason, the process stays up,
// and once the database is started again the same app serves as before, with the same session, without a restart.
import { spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, readlink, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../src/db/embedded.ts";
import { csrfTokenIn } from "../helpers/http.ts";
import { killServers, listening, startServer, type ServerProcess } from "../helpers/server-process.ts";

const ADMIN = { ADMIN_EMAIL: "owner@example.test", ADMIN_PASSWORD: "juniper voltage 58 marble lagoon" };
const STACK_LINE = /^\s+at .+\(.*:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;

const temporary: string[] = [];
afterEach(async () => {
  await killServers();
  for (const dir of temporary.splice(0)) await rm(dir, { recursive: true, force: true, maxRetries: 50, retryDelay: 200 });
});

async function tempDir(mode: number): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-dbdown-"));
  await chmod(dir, mode);
  temporary.push(dir);
  return dir;
}

/** The running cluster of a server: its folder, pg_ctl, the user it runs as and the options it was started with. */
async function clusterOf(server: ServerProcess) {
  const match = /embedded PostgreSQL running, data in (\S+) \(set EMBEDDED_PG_DIR/.exec(server.output());
  if (!match?.[1]) throw new Error(`no cluster folder in the output:\n${server.output()}`);
  const cluster = path.join(match[1], "pg");
  const [pid, , , port, socketDir, listen] = (await readFile(path.join(cluster, "postmaster.pid"), "utf8")).split("\n");
  const exe = await readlink(`/proc/${pid}/exe`);
  const owner = await stat(`/proc/${pid}`);
  const password = (await readFile(path.join(match[1], "pg-password"), "utf8")).trim();
  return {
    cluster,
    url: `postgresql://clientdesk:${encodeURIComponent(password)}@127.0.0.1:${port}/clientdesk`,
    pgCtl: path.join(path.dirname(exe), "pg_ctl"),
    who: process.getuid?.() === 0 ? { uid: owner.uid, gid: owner.gid } : {},
    options: `-p ${port} -c listen_addresses=${listen} -c unix_socket_directories='${socketDir}'`,
  };
}

function pgCtl(cluster: Awaited<ReturnType<typeof clusterOf>>, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cluster.pgCtl, [...args, "-D", cluster.cluster], { ...cluster.who, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("close", (code) => resolve({ code, output }));
  });
}

async function waitUntil(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return check();
}

function expectUnavailablePage(res: request.Response) {
  expect(res.status).toBe(503);
  expect(res.headers["content-type"]).toMatch(/text\/html/);
  expect(res.headers["retry-after"]).toBe("10");
  expect(res.text).toContain("Temporarily unavailable");
  expect(res.text).toContain("Clientdesk cannot reach its database just now");
  expect(res.text).not.toMatch(STACK_LINE);
  expect(res.text).not.toMatch(/ECONNREFUSED|ENOENT|P1001|pg-pool|node_modules/);
}

describe("the database going down while the app runs", () => {
  it(
    "answers 503 pages and a failing /healthz while it is down, stays up, and serves again by itself once it is back",
    async () => {
      const dataDir = await tempDir(0o700);
      const runtimeDir = await tempDir(0o755);
      const server = await startServer({ ...ADMIN, DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()), EMBEDDED_PG_RUNTIME_DIR: runtimeDir });
      await listening(server);
      const base = `http://127.0.0.1:${server.port}`;
      const agent = request.agent(base);
      const login = await agent.get("/login");
      expect((await agent.post("/login").type("form").send({ _csrf: csrfTokenIn(login.text), email: ADMIN.ADMIN_EMAIL, password: ADMIN.ADMIN_PASSWORD })).status).toBe(302);
      const form = await agent.get("/clients/new");
      expect(form.status).toBe(200);
      const token = csrfTokenIn(form.text);
      expect((await agent.get("/healthz")).body).toEqual({ status: "ok" });
      const cluster = await clusterOf(server);

      // A create held inside its transaction when the database stops: the year's client-code counter row is locked
      // from another connection, so the app's transaction waits on it until the server ends it.
      expect((await agent.post("/clients").type("form").send({ _csrf: token, name: "Before The Stop Ltd", clientType: "organization", confirmDuplicates: "on" })).status).toBe(302);
      const locker = new pg.Client({ connectionString: cluster.url });
      locker.on("error", () => undefined); // its connection ends with the server
      await locker.connect();
      await locker.query("BEGIN");
      await locker.query("SELECT 1 FROM client_code_counters FOR UPDATE");
      const held = agent.post("/clients").type("form").send({ _csrf: token, name: "Held In Flight Ltd", clientType: "organization", confirmDuplicates: "on" }).then((r) => r);
      const waiting = async () => (await locker.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()`)).rows[0].n > 0;
      expect(await waitUntil(waiting, 15_000)).toBe(true);
      // More requests arriving while it stops: each gets a page or the 503 page, never a 500 or a cut connection.
      const arriving = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? agent.post("/clients").type("form").send({ _csrf: token, name: `Arriving ${i} Ltd`, clientType: "organization", confirmDuplicates: "on" }) : agent.get(i % 2 ? "/clients" : "/cases")).then((r) => r));
      const stopped = await pgCtl(cluster, ["stop", "-m", "fast", "-w", "-t", "60"]);
      expect(stopped.code, stopped.output).toBe(0);
      await locker.end().catch(() => undefined);
      const heldResponse = await held;
      // What the app logged for it, should it ever answer otherwise (a CI run once saw a 500 here).
      expect(heldResponse.status, server.output().slice(-4000)).toBe(503);
      expectUnavailablePage(heldResponse);
      for (const res of await Promise.all(arriving)) {
        expect([200, 302, 503]).toContain(res.status);
        if (res.status === 503) expectUnavailablePage(res);
      }

      // While it is down: pages, forms (the session store is the first to fail), JSON, and the health check.
      expectUnavailablePage(await agent.get("/clients"));
      expectUnavailablePage(await agent.get("/"));
      expectUnavailablePage(await agent.post("/clients").type("form").send({ _csrf: token, name: "While Down Ltd", clientType: "organization", confirmDuplicates: "on" }));
      const json = await agent.get("/clients").set("Accept", "application/json");
      expect(json.status).toBe(503);
      expect(json.body.error).toContain("cannot reach its database");
      const health = await request(base).get("/healthz");
      expect(health.status).toBe(503);
      expect(health.body.status).toBe("database unavailable");
      expect(health.body.reason).toMatch(/database server (refused the connection|is not running|closed the connection|is starting or stopping|is shutting down)/);
      // A page that needs no database still works: sign-in page without a session.
      expect((await request(base).get("/login")).status).toBe(200);
      expect(server.child.exitCode).toBeNull();

      // The database comes back: no restart of the app, the same session, reads and writes work.
      const started = await pgCtl(cluster, ["start", "-w", "-t", "60", "-l", path.join(cluster.cluster, "postgres.log"), "-o", cluster.options]);
      expect(started.code, started.output).toBe(0);
      expect(await waitUntil(async () => (await request(base).get("/healthz")).status === 200, 20_000)).toBe(true);
      const page = await agent.get("/clients");
      expect(page.status).toBe(200);
      const created = await agent.post("/clients").type("form").send({ _csrf: token, name: "After Recovery Ltd", clientType: "organization", confirmDuplicates: "on" });
      expect(created.status).toBe(302);
      expect((await agent.get(created.headers.location!)).text).toContain("After Recovery Ltd");
      // The create that was cut off was rolled back whole: no client, no audit row, the counter unchanged by it.
      const check = new pg.Client({ connectionString: cluster.url });
      await check.connect();
      try {
        expect((await check.query(`SELECT 1 FROM clients WHERE name = 'Held In Flight Ltd'`)).rowCount).toBe(0);
        const unaudited = await check.query(`SELECT c.name FROM clients c WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.action = 'client.create' AND a.entity_id = c.id::text)`);
        expect(unaudited.rows).toEqual([]);
      } finally {
        await check.end();
      }
      expect(server.child.exitCode).toBeNull();
      expect(server.output()).not.toMatch(/uncaught|unhandled/i);

      const { code } = await server.interrupt();
      expect(code).toBe(0);
    },
    180_000,
  );
});
