// Environment read once, validated and typed. Every variable is documented in README.md.
import { z } from "zod";

const flag = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((v) => v === "true" || v === "1" || v === "yes");

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== "" ? v.trim() : undefined));

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  DATABASE_URL: optionalText,
  DATA_DIR: z.string().default("data"),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(5433),
  /** Folder of the embedded cluster; unset: DATA_DIR/postgres, or a folder under EMBEDDED_PG_RUNTIME_DIR as root. */
  EMBEDDED_PG_DIR: optionalText,
  /** As root: where the postgres user is given the binaries and clusters it cannot reach in the clone. */
  EMBEDDED_PG_RUNTIME_DIR: z.string().default("/var/lib/clientdesk"),
  SESSION_SECRET: optionalText,
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  TRUST_PROXY: flag,
  ADMIN_EMAIL: optionalText,
  ADMIN_PASSWORD: optionalText,
  ADMIN_NAME: z.string().default("Administrator"),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  LOGIN_LOCK_MINUTES: z.coerce.number().int().min(1).default(15),
  LOGIN_IP_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(30),
  LOGIN_IP_WINDOW_MINUTES: z.coerce.number().int().min(1).default(15),
  /** Active cases (not resolved or closed) one case manager may hold; assigning beyond it is refused. */
  CASE_MANAGER_MAX_ACTIVE_CASES: z.coerce.number().int().min(1).max(100_000).default(40),
  /** Largest document upload, in megabytes. */
  DOCUMENT_MAX_MB: z.coerce.number().min(0.01).max(1024).default(10),
  /** Where document files are kept: the local disk under DATA_DIR, or an S3-compatible object store. */
  STORAGE_BACKEND: z.enum(["disk", "s3"]).default("disk"),
  S3_ENDPOINT: optionalText,
  S3_REGION: z.string().default("us-east-1"),
  S3_BUCKET: optionalText,
  S3_ACCESS_KEY_ID: optionalText,
  S3_SECRET_ACCESS_KEY: optionalText,
  /** Path-style URLs (http://host/bucket/key), which MinIO and most self-hosted stores need. */
  S3_FORCE_PATH_STYLE: flag,
  /** Run the background worker (text extraction) inside this process. */
  DOCUMENT_WORKER: z.enum(["true", "false", "1", "0", "yes", "no", ""]).optional().transform((v) => v === undefined || v === "" || v === "true" || v === "1" || v === "yes"),
  /** smtp://user:pass@host:587 (or smtps://…): reminders and the follow-up digest are also emailed when set. */
  SMTP_URL: optionalText,
  MAIL_FROM: z.string().default("Clientdesk <noreply@localhost>"),
  /** The address users reach the app at, for links in emails (default: http://HOST:PORT). */
  APP_URL: optionalText,
  /** The hourly check for quarterly feedback reminders in the app process; "false" when another process runs it. */
  FEEDBACK_REMINDERS: z
    .enum(["true", "false", "1", "0", "yes", "no", ""])
    .optional()
    .transform((v) => v === undefined || v === "" || v === "true" || v === "1" || v === "yes"),
  /** Hour of the day (UTC) from which the app process sends the daily follow-up digest; an empty value turns its timer off. */
  FOLLOWUP_DIGEST_HOUR: z.union([z.literal(""), z.coerce.number().int().min(0).max(23)]).default(7),
  /** 32 bytes (64 hex characters or base64) encrypting two-factor secrets; unset: DATA_DIR/two-factor.key, made once. */
  TWO_FACTOR_KEY: optionalText,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Config = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  if (parsed.data.STORAGE_BACKEND === "s3" && !parsed.data.S3_BUCKET) throw new Error("Invalid configuration:\n  S3_BUCKET: required when STORAGE_BACKEND=s3");
  return parsed.data;
}
