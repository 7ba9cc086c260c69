// The real server as its own process (`node --import tsx src/server.ts`, or the `tsx` CLI that `npm start` uses), its
// output, and a clean-up that leaves no server or embedded PostgreSQL behind after a failed test.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort } from "../../src/db/embedded.ts";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the output matches, rejects when the process exits first or time runs out. */
  waitFor(pattern: string | RegExp, ms?: number): Promise<void>;
  /** SIGINT and the exit that follows; to the whole process group, as Ctrl-C in a terminal, when `group`. */
  interrupt(options?: { group?: boolean }): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ServerProcess>();

/** A failed test must not leave a server behind: kill what is left of each one's process group (after a clean stop
 * nothing is, and the kill finds no process); its embedded PostgreSQL then stops through its watchdog. */
export async function killServers() {
  for (const server of running) {
    try {
      process.kill(-server.child.pid!, "SIGKILL");
    } catch {
      /* the group is empty */
    }
    await server.exited;
  }
  running.clear();
}

/** Starts `src/server.ts` as its own process, in a process group of its own: `node --import tsx`, or `npm start`. */
export async function startServer(env: Record<string, string>, options: { via?: "node" | "npm-start"; cwd?: string } = {}): Promise<ServerProcess> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "test", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info" };
  for (const name of ["DATABASE_URL", "ADMIN_EMAIL", "ADMIN_PASSWORD", "ADMIN_NAME", "SESSION_SECRET", "DATA_DIR", "EMBEDDED_PG_PORT", "EMBEDDED_PG_DIR", "EMBEDDED_PG_RUNTIME_DIR", "NODE_OPTIONS"]) delete childEnv[name];
  Object.assign(childEnv, env);
  const [command, args] =
    options.via === "npm-start" ? ["npm", ["start", "--silent"]] : [process.execPath, ["--import", "tsx", "src/server.ts"]];
  const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: childEnv, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  let closed = false;
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  // "close" comes after the output pipes are drained, so output() then holds everything the process wrote.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => {
      closed = true;
      resolve({ code, signal });
      for (const listener of listeners) listener();
    }),
  );
  const server: ServerProcess = {
    child,
    port,
    output: () => output,
    exited,
    waitFor(pattern, ms = 45_000) {
      const matches = () => (typeof pattern === "string" ? output.includes(pattern) : pattern.test(output));
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (matches()) done(resolve);
          else if (closed) done(() => reject(new Error(`the server exited (code ${child.exitCode}) before printing ${String(pattern)}:\n${output}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${String(pattern)} within ${ms} ms:\n${output}`))), ms);
        const done = (fn: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          fn();
        };
        listeners.add(check);
        check();
      });
    },
    async interrupt({ group = false } = {}) {
      if (group) process.kill(-child.pid!, "SIGINT");
      else child.kill("SIGINT");
      return exited;
    },
  };
  running.add(server);
  return server;
}

export async function listening(server: ServerProcess) {
  await server.waitFor("Clientdesk is listening");
}

