// The ceiling: a bare Express app on the same machine, one route answering a small HTML page. Started by bench/run.ts.
import type { AddressInfo } from "node:net";
import express from "express";

const app = express();
app.disable("x-powered-by");
const page = "<!doctype html><html><head><title>Bare</title></head><body><h1>Hello</h1><p>A bare Express route.</p></body></html>";
app.get("/", (_req, res) => {
  res.type("html").send(page);
});
const server = app.listen(0, "127.0.0.1", () => process.send?.({ port: (server.address() as AddressInfo).port }));
const stop = () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("disconnect", stop);
