// What the embedded PostgreSQL printed when it failed, turned into what is wrong and what to do.
import { describe, expect, it } from "vitest";
import { explain } from "../../src/db/embedded.ts";

const where = { cluster: "/var/lib/clientdesk/clusters/x/pg", port: 5433 };

describe("start-up failure messages", () => {
  it("a full disk names the folder and says to free space or move the cluster", () => {
    const error = explain("initdb: error: could not write to file \"pg_wal/000000010000000000000001\": No space left on device", where);
    expect(error.message).toContain(`the disk holding ${where.cluster} is full`);
    expect(error.hint).toContain("EMBEDDED_PG_DIR");
  });

  it("a taken port names the port and the variable to change", () => {
    const error = explain('LOG:  could not bind IPv4 address "127.0.0.1": Address already in use', where);
    expect(error.message).toContain("port 5433 is already in use");
    expect(error.hint).toContain("EMBEDDED_PG_PORT");
  });

  it("a folder PostgreSQL may not use names the folder", () => {
    const error = explain('FATAL:  data directory "/x" has invalid permissions / Permission denied', where);
    expect(error.message).toContain(`PostgreSQL may not use ${where.cluster}`);
  });

  it("anything else points to the server's log and to DATABASE_URL", () => {
    const error = explain("FATAL:  something unforeseen", where);
    expect(error.message).toContain("something unforeseen");
    expect(error.hint).toContain(`${where.cluster}/postgres.log`);
    expect(error.hint).toContain("DATABASE_URL");
  });
});
