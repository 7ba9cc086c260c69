// Formatting helpers for views.
const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const date = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

export function formatDateTime(value: Date | string | null | undefined): string {
  return value ? `${dateTime.format(new Date(value))} UTC` : "—";
}

export function formatDate(value: Date | string | null | undefined): string {
  return value ? date.format(new Date(value)) : "—";
}

export function roleLabel(role: string): string {
  return { admin: "Administrator", manager: "Manager", staff: "Staff" }[role] ?? role;
}

export function json(value: unknown): string {
  return value === null || value === undefined ? "—" : typeof value === "string" ? value : JSON.stringify(value);
}

/** A byte count as people read it: 512 bytes, 14.2 KB, 3.1 MB. */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? "" : "s"}`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
