// The real Clientdesk app for the benchmark, in a process of its own (the load generator must not share its event loop).
// Started by bench/run.ts with DATABASE_URL and BENCH_SESSION_SECRET; reports its port over IPC.
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { loadConfig } from "../src/config.ts";
import { connectDatabase } from "../src/db/client.ts";
import { createApp } from "../src/app.ts";

const config = loadConfig({ ...process.env, NODE_ENV: "production", LOG_LEVEL: "silent", HOST: "127.0.0.1", PORT: "0" });
if (!config.DATABASE_URL || !process.env.BENCH_SESSION_SECRET) throw new Error("bench/app-server.ts is started by bench/run.ts");
const database = connectDatabase(config.DATABASE_URL);
const { app } = createApp({ config, database, sessionSecret: process.env.BENCH_SESSION_SECRET, logger: pino({ level: "silent" }) });
const server = app.listen(0, "127.0.0.1", () => process.send?.({ port: (server.address() as AddressInfo).port }));
let active = 0;
server.on("request", (_req, res) => {
  active++;
  res.once("close", () => active--);
});

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeIdleConnections();
  // Let requests the load generator gave up on finish before the pool goes away.
  for (let waited = 0; active > 0 && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  server.closeAllConnections();
  // Handlers of requests whose client went away may still be running: end the process without closing the pool under them.
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("disconnect", () => void stop()); // the bench runner went away
