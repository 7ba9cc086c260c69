// End-to-end runner: starts the real server (`node --import tsx src/server.ts`) on a throwaway embedded PostgreSQL,
// drives Debian's chromium through playwright-core, prints each step and "N passed, M failed", and always stops both.
import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { freePort } from "../../src/db/embedded.ts";
import { foundation } from "./foundation.e2e.ts";
import { clients } from "./clients.e2e.ts";
import { cases } from "./cases.e2e.ts";
import { pipeline } from "./pipeline.e2e.ts";
import { documents } from "./documents.e2e.ts";
import { feedback } from "./feedback.e2e.ts";
import { communications } from "./communications.e2e.ts";
import { sweep } from "./sweep.e2e.ts";
import { roundtable } from "./roundtable.e2e.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const RESULTS_DIR = path.join(ROOT, "test-results");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;

export interface E2eContext {
  baseUrl: string;
  page: Page;
  browser: Browser;
  context: BrowserContext;
  /**
   * The first administrator, as printed by the server at its first start. Shared by all tests, in order: a test that
   * changes the password records the new one here for the tests after it.
   */
  admin: { email: string; password: string };
  /** Runs one named step, printing its name, result and duration; a failure ends the test. */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Saves a full-page screenshot as test-results/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
}

export interface E2eTest {
  name: string;
  run(ctx: E2eContext): Promise<void>;
}

// In order, against one server and database; each test has its own browser context (no shared cookies).
// E2E_ONLY=<start of a test's name> runs just the tests whose names start with it (each must also work alone).
const ALL_TESTS: E2eTest[] = [foundation, clients, cases, documents, communications, pipeline, feedback, roundtable, sweep];
const TESTS = process.env.E2E_ONLY ? ALL_TESTS.filter((t) => t.name.startsWith(process.env.E2E_ONLY!)) : ALL_TESTS;

interface Server {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  baseUrl: string;
  admin: { email: string; password: string };
}

function log(line: string) {
  process.stdout.write(line + "\n");
}

async function startServer(dataDir: string): Promise<Server> {
  const port = await freePort();
  const pgPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), LOG_LEVEL: "info", NODE_ENV: "development" };
  // A fresh embedded database with a generated first-admin password: nothing from the caller's environment.
  for (const name of ["DATABASE_URL", "ADMIN_EMAIL", "ADMIN_PASSWORD", "ADMIN_NAME", "SESSION_SECRET", "TRUST_PROXY"]) delete env[name];
  // One node process (the tsx CLI would put a second one in front, whose signal relay gives the server only 30 ms to
  // acknowledge a SIGINT, which a busy machine can miss), in its own process group so a last-resort kill reaches the
  // server and its PostgreSQL.
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
  const server: Server = { child, output: () => output, exited, baseUrl: `http://127.0.0.1:${port}`, admin: { email: "", password: "" } };

  const deadline = Date.now() + START_TIMEOUT_MS;
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    const email = /^\s*Email:\s+(\S+)\s*$/m.exec(output)?.[1];
    const password = /^\s*Password:\s+(\S+)\s*$/m.exec(output)?.[1];
    if (output.includes("first administrator created") && email && password && output.includes("shown only once")) {
      server.admin = { email, password };
      return server;
    }
    if (gone) throw Object.assign(new Error("the server exited during start-up"), { server });
    if (Date.now() > deadline) throw Object.assign(new Error(`the server printed no first-admin password within ${START_TIMEOUT_MS / 1000} s`), { server });
    await new Promise((r) => setTimeout(r, 100));
  }
}

function killGroup(server: Server) {
  try {
    process.kill(-server.child.pid!, "SIGKILL");
  } catch {
    /* the group is empty */
  }
}

/** SIGINT, as Ctrl-C would; true when it logged "stopped cleanly" and exited with code 0. */
async function stopServer(server: Server): Promise<boolean> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    log(`  server had already exited (code ${server.child.exitCode}, signal ${server.child.signalCode})`);
    killGroup(server);
    return false;
  }
  server.child.kill("SIGINT");
  const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), STOP_TIMEOUT_MS).unref());
  const result = await Promise.race([server.exited, timer]);
  if (result === "timeout") {
    log(`  server did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGINT: killing its process group`);
    killGroup(server);
    await server.exited;
    return false;
  }
  const clean = result.code === 0 && server.output().includes("stopped cleanly");
  if (!clean) killGroup(server); // whatever it left behind (its embedded PostgreSQL)
  log(`  server exited with code ${result.code}${result.signal ? ` (signal ${result.signal})` : ""}${clean ? ', logged "stopped cleanly"' : ', did NOT log "stopped cleanly"'}`);
  return clean;
}

async function main(): Promise<number> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-e2e-"));
  // The embedded PostgreSQL runs as the `postgres` user when we are root: it must reach DATA_DIR/postgres.
  await chmod(dataDir, 0o755);
  let server: Server | undefined;
  let browser: Browser | undefined;
  let passed = 0;
  let failed = 0;
  let stopAsked = false;
  const onSignal = () => {
    stopAsked = true;
  };
  process.once("SIGINT", onSignal);
  try {
    log(`e2e: starting the server (node --import tsx src/server.ts, embedded PostgreSQL in ${dataDir})`);
    try {
      server = await startServer(dataDir);
    } catch (error) {
      server = (error as { server?: Server }).server;
      throw error;
    }
    log(`  listening at ${server.baseUrl}; first admin ${server.admin.email} with a generated password`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    });
    log(`  browser: chromium ${browser.version()}`);

    for (const test of TESTS) {
      if (stopAsked) break;
      log(`\n${test.name}`);
      const context = await browser.newContext({ baseURL: server.baseUrl, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      page.setDefaultNavigationTimeout(20_000);
      let n = 0;
      const ctx: E2eContext = {
        baseUrl: server.baseUrl,
        page,
        browser,
        context,
        admin: server.admin,
        async step(name, fn) {
          n += 1;
          const started = Date.now();
          try {
            const value = await fn();
            log(`  ✓ ${n}. ${name} (${Date.now() - started} ms)`);
            return value;
          } catch (error) {
            log(`  ✗ ${n}. ${name} (${Date.now() - started} ms)`);
            throw error;
          }
        },
        async screenshot(name) {
          const file = path.join(RESULTS_DIR, `${slug(name)}.png`);
          await page.screenshot({ path: file, fullPage: true });
          return path.relative(ROOT, file);
        },
      };
      try {
        await test.run(ctx);
        passed += 1;
        log(`  PASS ${test.name}`);
      } catch (error) {
        failed += 1;
        log(`  FAIL ${test.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        const shot = path.join(RESULTS_DIR, `${slug(test.name)}-failure.png`);
        await page.screenshot({ path: shot, fullPage: true }).then(() => log(`  screenshot of the failure: ${path.relative(ROOT, shot)}`), () => undefined);
        log(`  page at failure: ${page.url()}`);
      } finally {
        await context.close().catch(() => undefined);
      }
    }
  } catch (error) {
    failed += 1;
    log(`\nFAIL set-up: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    process.off("SIGINT", onSignal);
    log("\nstopping");
    if (browser) {
      await browser.close().catch((error: unknown) => log(`  browser did not close: ${String(error)}`));
      log("  browser closed");
    }
    if (server) {
      const clean = await stopServer(server);
      if (!clean) {
        failed += 1;
        log("  FAIL the server did not stop cleanly on SIGINT");
      }
      const logFile = path.join(RESULTS_DIR, "e2e-server.log");
      await writeFile(logFile, server.output());
      if (failed) log(`\nserver output (also in ${path.relative(ROOT, logFile)}):\n${tail(server.output(), 60)}`);
    }
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
  if (stopAsked) log("interrupted");
  log(`\n${passed} passed, ${failed} failed`);
  return failed === 0 && !stopAsked && TESTS.length > 0 && passed === TESTS.length ? 0 : 1;
}

function slug(name: string) {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

function tail(text: string, lines: number) {
  return text.split("\n").slice(-lines).join("\n");
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
