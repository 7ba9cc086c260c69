// Page numbers from the query string, bounded, and the links a list page shows.
export interface PageRequest {
  page: number;
  perPage: number;
  skip: number;
}

export function pageRequest(query: Record<string, unknown>, defaults = { perPage: 25, maxPerPage: 100 }): PageRequest {
  const page = clampInt(query.page, 1, 1, 100_000);
  const perPage = clampInt(query.perPage, defaults.perPage, 1, defaults.maxPerPage);
  return { page, perPage, skip: (page - 1) * perPage };
}

function clampInt(value: unknown, fallback: number, min: number, max: number) {
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : fallback;
  return Math.min(max, Math.max(min, n));
}

export interface PageInfo {
  page: number;
  perPage: number;
  total: number;
  pages: number;
  from: number;
  to: number;
}

export function pageInfo(request: PageRequest, total: number): PageInfo {
  const pages = Math.max(1, Math.ceil(total / request.perPage));
  return {
    page: request.page,
    perPage: request.perPage,
    total,
    pages,
    from: total === 0 ? 0 : request.skip + 1,
    to: Math.min(total, request.skip + request.perPage),
  };
}

/** The current URL's query with some keys replaced: for filter, sort and page links. */
export function withQuery(query: Record<string, unknown>, changes: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (typeof value === "string" && value !== "" && !(key in changes)) params.set(key, value);
  }
  for (const [key, value] of Object.entries(changes)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "?";
}

/**
 * Where a keyset page starts in its list (1-based). A cursor does not know its row number, so the pager's links carry
 * it in `from`; it is only shown ("Showing 26–50"), never used to read rows.
 */
export function listPosition(query: Record<string, unknown>): number {
  return clampInt(query.from, 1, 1, 10_000_000);
}
