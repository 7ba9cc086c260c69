// An open-loop load generator at a fixed rate: request i is due at start + i/rate whatever happened to the
// earlier ones, and its latency is measured from that due time (so queueing behind slow responses counts,
// as in wrk2). autocannon's overallRate instead lets each connection send its share back-to-back at the top
// of every second (lib/httpClient.js: a per-second counter reset by setInterval), i.e. bursts, which measures
// something closer to "latency at N concurrent" than "latency at 200 requests/s".
import http from "node:http";

export interface PacedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface PacedResult {
  latencies: number[];
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Still unanswered at the deadline (the run's end plus a grace period): counted in the latencies with their wait so far. */
  unfinished: number;
  sent: number;
  completed: number;
  /** Responses per second over the run. */
  achievedRate: number;
}

export async function pacedRun(options: {
  port: number;
  rate: number;
  durationSeconds: number;
  next: () => PacedRequest;
  timeoutMs?: number;
  /** How long after the last request is due the run waits for answers. */
  graceMs?: number;
  maxSockets?: number;
}): Promise<PacedResult> {
  const { port, rate, durationSeconds, next } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const graceMs = options.graceMs ?? 5_000;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 100 });
  const total = Math.round(rate * durationSeconds);
  const interval = 1000 / rate;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  let sent = 0;
  let completed = 0;
  let lastDone = 0;
  let outstanding = 0;
  let finish: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (finish = resolve));
  const start = performance.now();

  const pending = new Map<http.ClientRequest, number>();
  const settle = () => {
    outstanding--;
    if (sent === total && outstanding === 0) finish();
  };

  const fire = (due: number) => {
    const request = next();
    sent++;
    outstanding++;
    let settled = false;
    const req = http.request({ host: "127.0.0.1", port, method: request.method, path: request.path, headers: request.headers, agent }, (res) => {
      res.resume();
      res.on("end", () => {
        if (settled) return;
        settled = true;
        pending.delete(req);
        const now = performance.now();
        latencies.push(now - due);
        statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
        completed++;
        lastDone = now;
        settle();
      });
    });
    pending.set(req, due);
    req.setTimeout(timeoutMs, () => {
      if (settled) return;
      settled = true;
      pending.delete(req);
      timeouts++;
      req.destroy();
      settle();
    });
    req.on("error", () => {
      if (settled) return;
      settled = true;
      pending.delete(req);
      errors++;
      settle();
    });
    req.end(request.body);
  };

  let i = 0;
  const tick = () => {
    const now = performance.now();
    while (i < total && start + i * interval <= now) {
      fire(start + i * interval);
      i++;
    }
    if (i < total) setTimeout(tick, Math.max(0, start + i * interval - performance.now()));
  };
  tick();
  if (total === 0) finish();
  let unfinished = 0;
  const deadline = setTimeout(() => {
    // The app could not keep up: what is still waiting counts with the wait so far (a lower bound).
    const now = performance.now();
    for (const [req, due] of pending) {
      latencies.push(now - due);
      unfinished++;
      req.destroy();
    }
    pending.clear();
    i = total;
    finish();
  }, durationSeconds * 1000 + graceMs);
  await allDone;
  clearTimeout(deadline);
  agent.destroy();
  const elapsed = ((lastDone || performance.now()) - start) / 1000;
  return { latencies, statuses, errors, timeouts, unfinished, sent, completed, achievedRate: elapsed > 0 ? completed / elapsed : 0 };
}
