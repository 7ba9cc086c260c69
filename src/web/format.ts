// Formatting helpers for views: dates and counts in the reader's locale (from Accept-Language), so the dates
// the app prints read like the ones the browser's date fields show. Times are stored and shown in UTC.
const DEFAULT_LOCALE = "en-GB";

export interface Formatter {
  locale: string;
  formatDate(value: Date | string | null | undefined): string;
  formatDateTime(value: Date | string | null | undefined): string;
  /** A whole number with the locale's grouping; past `cap` it reads "1,000+". */
  count(value: number, cap?: number): string;
  roleLabel(role: string): string;
  json(value: unknown): string;
  fileSize(bytes: number): string;
  /** An amount of money as 12,500.00 (digits 0: 12,500); "—" when there is none. */
  amount(value: { toString(): string } | number | string | null | undefined, digits?: 0 | 2): string;
}

const formatters = new Map<string, Formatter>();

/** The first of the request's languages that Intl can format, else en-GB ("4 Dec 2026"). */
export function localeFrom(languages: readonly string[]): string {
  for (const language of languages) {
    if (language === "*" || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/.test(language)) continue;
    const [supported] = Intl.DateTimeFormat.supportedLocalesOf([language]);
    if (supported) return supported;
  }
  return DEFAULT_LOCALE;
}

export function formatterFor(locale: string): Formatter {
  let formatter = formatters.get(locale);
  if (formatter) return formatter;
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
  const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  formatter = {
    locale,
    formatDate: (value) => (value ? date.format(new Date(value)) : "—"),
    formatDateTime: (value) => (value ? `${dateTime.format(new Date(value))} UTC` : "—"),
    count: (value, cap) => (cap !== undefined && value > cap ? `${integer.format(cap)}+` : integer.format(value)),
    roleLabel,
    json,
    fileSize,
    amount,
  };
  // A handful of locales in practice; the cap keeps odd Accept-Language values from growing the map.
  if (formatters.size < 100) formatters.set(locale, formatter);
  return formatter;
}

function roleLabel(role: string): string {
  return { admin: "Administrator", manager: "Manager", staff: "Staff" }[role] ?? role;
}

function json(value: unknown): string {
  return value === null || value === undefined ? "—" : typeof value === "string" ? value : JSON.stringify(value);
}

/** A byte count as people read it: 512 bytes, 14.2 KB, 3.1 MB. */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? "" : "s"}`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// Built once: toLocaleString with options builds a new Intl.NumberFormat on every call (a board of 125 cards spent
// most of its rendering there).
const WHOLE_AMOUNT = new Intl.NumberFormat("en-US", { minimumFractionDigits: 0, maximumFractionDigits: 0 });
const AMOUNT = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Amounts as 12,500.00 (digits 0: 12,500): Prisma decimals, numeric text from SQL, numbers and audit values alike. */
export function amount(value: { toString(): string } | number | string | null | undefined, digits: 0 | 2 = 2): string {
  if (value === null || value === undefined || value === "") return "—";
  const n = Number(value.toString());
  return Number.isFinite(n) ? (digits === 0 ? WHOLE_AMOUNT : AMOUNT).format(n) : String(value);
}
