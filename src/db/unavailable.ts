// Whether an error means "the database cannot be reached just now" (stopped, restarting, refusing connections, the
// connection cut), as opposed to a bug or bad input: such a request gets a 503 page and the app carries on; the pg pool
// opens fresh connections once the server is back, so nothing needs restarting.
/** Prisma's codes for an unreachable server, a timeout, a closed connection and too many connections. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2037"]);
const ADAPTER_KINDS: Record<string, string> = {
  DatabaseNotReachable: "the database server refused the connection",
  ConnectionClosed: "the database server closed the connection",
  SocketTimeout: "the database server did not answer in time",
  TooManyConnections: "the database server has too many connections",
};
const SOCKET_CODES: Record<string, string> = {
  ECONNREFUSED: "the database server refused the connection",
  ECONNRESET: "the database server closed the connection",
  EPIPE: "the database server closed the connection",
  ETIMEDOUT: "the database server did not answer in time",
  EHOSTUNREACH: "the database server cannot be reached",
  ENETUNREACH: "the database server cannot be reached",
  ENOTFOUND: "the database server's host name is unknown",
  EAI_AGAIN: "the database server's host name cannot be resolved just now",
};
const MESSAGES: [RegExp, string][] = [
  [/Connection terminated|Client has encountered a connection error|Client was closed and is not queryable/i, "the database server closed the connection"],
  [/timeout exceeded when trying to connect/i, "no database connection became free in time"],
  [/the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)/i, "the database server is starting or stopping"],
  [/terminating connection due to administrator command/i, "the database server is shutting down"],
  [/Can't reach database server/i, "the database server refused the connection"],
  [/Server has closed the connection/i, "the database server closed the connection"],
];

/** PostgreSQL SQLSTATEs: connection exceptions (08…), shutdown and cannot-connect-now (57P01–57P05), too many connections. */
function sqlstateReason(code: unknown): string | undefined {
  if (typeof code !== "string") return undefined;
  if (code === "57P01" || code === "57P02") return "the database server is shutting down";
  if (code === "57P03") return "the database server is starting or stopping";
  if (code === "53300") return "the database server has too many connections";
  if (/^08[0-9A-Z]{3}$/.test(code)) return "the database connection failed";
  return undefined;
}

/** Why the database is unreachable, if `error` (or what caused it) says so; undefined for any other error. */
export function databaseUnavailableReason(error: unknown, depth = 0): string | undefined {
  if (!error || typeof error !== "object" || depth > 5) return undefined;
  const e = error as { code?: unknown; severity?: unknown; syscall?: unknown; kind?: unknown; originalCode?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
  if (typeof e.code === "string") {
    // A transaction that outlived Prisma's interactive-transaction timeout (it waited on a lock, or on a server that is
    // stopping): it was rolled back, so nothing of it was written; the user may try again.
    if (e.code === "P2028" && typeof e.message === "string" && /expired transaction/i.test(e.message)) return "the database did not finish the change in time";
    if (PRISMA_CODES.has(e.code)) return databaseUnavailableReason(e.meta?.driverAdapterError, depth + 1) ?? "the database server cannot be reached";
    if (SOCKET_CODES[e.code] && (typeof e.syscall === "string" || depth > 0)) return SOCKET_CODES[e.code];
    if (e.code === "ENOENT" && e.syscall === "connect") return "the database server is not running (its socket is gone)";
  }
  if (typeof e.kind === "string" && ADAPTER_KINDS[e.kind]) return ADAPTER_KINDS[e.kind];
  const fromState = sqlstateReason(e.originalCode) ?? (typeof e.severity === "string" || e.kind === "postgres" ? sqlstateReason(e.code) : undefined);
  if (fromState) return fromState;
  if (typeof e.message === "string") for (const [pattern, reason] of MESSAGES) if (pattern.test(e.message)) return reason;
  return databaseUnavailableReason(e.meta?.driverAdapterError, depth + 1) ?? databaseUnavailableReason(e.cause, depth + 1);
}

export function isDatabaseUnavailable(error: unknown): boolean {
  return databaseUnavailableReason(error) !== undefined;
}
