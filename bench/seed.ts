// Seeds a benchmark database fast, with set-based SQL: ~50 users, categories, N clients (individuals and
// organizations, realistic names from word lists so trigram search behaves as on real data), ~10% restricted
// with teams, ~2 contacts per organization, the client-code counters, then VACUUM ANALYZE.
// Then (seedCases) BENCH_CASES cases over those clients, twice the clients by default: case types and templates,
// teams, workflow stages and approvals; and (seedDocuments) BENCH_DOCUMENTS documents, twice the clients by default.
// Used by bench/run.ts; on its own: `DATABASE_URL=... BENCH_CLIENTS=100000 npx tsx bench/seed.ts` (empty, migrated database only).
import pg from "pg";
import { hashPassword } from "../src/auth/passwords.ts";

export const BENCH_PASSWORD = "bench password correct horse 42";
export const STAFF_EMAIL = "bench.staff@firm.example";
export const MANAGER_EMAIL = "bench.manager@firm.example";
const USERS = 50;

export interface SeedResult {
  clients: number;
  contacts: number;
  teamMembers: number;
  users: number;
  ms: number;
}

const sqlArray = (words: string[]) => `ARRAY[${words.map((w) => `'${w.replace(/'/g, "''")}'`).join(",")}]::text[]`;

const FIRST = "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Dorothy George Melissa Timothy Deborah Ronald Stephanie Edward Rebecca Jason Sharon Jeffrey Laura Ryan Cynthia Jacob Kathleen Gary Amy Nicholas Angela Eric Shirley Jonathan Anna Stephen Brenda Larry Pamela Justin Emma Scott Nicole Brandon Helen Benjamin Samantha Samuel Katherine Gregory Christine Alexander Debra Frank Rachel Patrick Carolyn Raymond Janet Jack Catherine Dennis Maria Jerry Heather Tyler Diane Aaron Ruth Jose Julie Adam Olivia Henry Joyce Nathan Virginia Douglas Victoria Zachary Kelly Peter Lauren Kyle Christina Ethan Joan Walter Evelyn Noah Judith Jeremy Megan Christian Andrea Keith Cheryl Roger Hannah Terry Jacqueline Gerald Martha Harold Gloria Sean Teresa Austin Ann Carl Sara Arthur Madison Lawrence Frances Dylan Kathryn Jesse Janice Jordan Jean Bryan Abigail Billy Alice Joe Judy Bruce Sophia Gabriel Grace Logan Denise Albert Amber Willie Doris Alan Marilyn Juan Danielle Wayne Beverly Elijah Isabella Randy Theresa Roy Diana Vincent Natalie Ralph Brittany Eugene Charlotte Russell Marie Bobby Kayla Mason Alexis Philip Lori".split(" ");
const LAST = "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Willis Carpenter Lawrence Sandoval".split(" ");
const PREFIX = "Northwind Bluewater Silverline Granite Harbor Summit Pioneer Evergreen Atlas Crescent Redwood Meridian Keystone Lakeside Ironclad Golden Riverside Oakridge Brightpath Sterling Cedar Falcon Beacon Horizon Maple Pacific Atlantic Alpine Prairie Coastal Vanguard Liberty Heritage Frontier Cobalt Quantum Apex Pinnacle Sapphire Emerald Orchard Willow Stonebridge Clearwater Highland Copperfield Westbrook Eastgate Sunrise Ashford Brookfield Fairview Glenwood Kingsley Lighthouse Mariner Northstar Oakmont Parkside Silverton Tidewater Union Wildflower".split(" ");
const SECTOR = "Logistics Dental Capital Holdings Partners Consulting Engineering Foods Media Health Realty Analytics Manufacturing Energy Ventures Systems Labs Construction Bakery Motors Pharmaceuticals Textiles Software Insurance Architects Accounting Transport Hospitality Farms Brewing Robotics Medical Properties Investments Solutions Marine Aviation Retail Design Security Education Networks Biotech Imports".split(" ");
const SUFFIX = ["LLC", "Inc.", "Ltd", "GmbH", "Group", "Co.", "Corporation", "PLC", "S.A.", "Pty Ltd", "AG", "BV"];
const FIRM = ["LLP", "Partners", "Associates", "& Co.", "Advisors"];
const INDUSTRY = "Logistics;Healthcare;Finance;Real estate;Manufacturing;Technology;Retail;Hospitality;Energy;Construction;Legal services;Education;Agriculture;Media;Transportation".split(";");
const CITY = "New York;Chicago;Boston;Seattle;Austin;Denver;Atlanta;Miami;San Francisco;Portland;London;Manchester;Berlin;Munich;Paris;Lyon;Madrid;Toronto;Vancouver;Sydney".split(";");
const COUNTRY_OF_CITY = "United States;United States;United States;United States;United States;United States;United States;United States;United States;United States;United Kingdom;United Kingdom;Germany;Germany;France;France;Spain;Canada;Canada;Australia".split(";");
const MAIL = ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "hotmail.com"];
const TITLE = ["CEO", "CFO", "General Counsel", "Office Manager", "Controller", "Head of Operations", "Managing Director", "Paralegal", "Assistant", "Founder", "VP Finance", "HR Director"];
const CATEGORIES: [string, string][] = [
  ["Corporate", "#1d4ed8"], ["Private client", "#7c3aed"], ["Litigation", "#b91c1c"], ["Real estate", "#15803d"], ["Tax", "#b45309"],
  ["Employment", "#0e7490"], ["Family", "#be185d"], ["Estate planning", "#4d7c0f"], ["Intellectual property", "#6d28d9"], ["Immigration", "#0369a1"],
  ["Non-profit", "#64748b"], ["Banking", "#334155"],
];

const pick = (arr: string, r: string) => `${arr}[1 + floor(${r} * array_length(${arr}, 1))::int]`;

/** Seeds an empty, migrated database. `clients` rows; everything else scales with it. */
export async function seedDatabase(url: string, clients: number, log: (line: string) => void = () => undefined): Promise<SeedResult> {
  const started = performance.now();
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const existing = await db.query<{ n: string }>("SELECT count(*) AS n FROM clients");
    if (Number(existing.rows[0]!.n) > 0) throw new Error("the database already has clients: seed only an empty, throwaway database");
    await db.query("SET synchronous_commit = off");
    await db.query("SET maintenance_work_mem = '256MB'");
    await db.query("SET work_mem = '64MB'");
    await db.query("BEGIN");
    await db.query("SELECT setseed(0.4242)");

    // Users: 3 admins, 9 managers, the rest staff; a few on the relationship/legal teams or with view-confidential.
    // The two bench users: a staff member (no view-confidential; sits on some client teams like everyone) and a manager (creates).
    await db.query(
      `INSERT INTO users (id, email, name, role, relationship_team, legal_team, view_confidential, department, password_hash, created_at, updated_at)
       SELECT gen_random_uuid(),
         CASE g WHEN 20 THEN $2 WHEN 7 THEN $3 ELSE lower(f || '.' || l) || g || '@firm.example' END,
         f || ' ' || l,
         (CASE WHEN g <= 3 THEN 'admin' WHEN g <= 12 THEN 'manager' ELSE 'staff' END)::"Role",
         g % 5 = 0 AND g <> 20, g % 7 = 0, g % 10 = 1,
         (ARRAY['Corporate','Litigation','Private client','Tax','Operations'])[1 + g % 5],
         $1, now() - interval '3 years', now()
       FROM generate_series(1, ${USERS}) g,
         LATERAL (SELECT (${sqlArray(FIRST)})[1 + (g * 7) % ${FIRST.length}] AS f, (${sqlArray(LAST)})[1 + (g * 13) % ${LAST.length}] AS l) n`,
      [passwordHash, STAFF_EMAIL, MANAGER_EMAIL],
    );
    await db.query(
      `INSERT INTO client_categories (id, name, color, updated_at) SELECT gen_random_uuid(), c->>0, c->>1, now() FROM jsonb_array_elements($1::jsonb) c`,
      [JSON.stringify(CATEGORIES)],
    );

    // Clients. Random draws r[1..20] per row; names and everything else come from the word lists.
    const t = performance.now();
    const inserted = await db.query(`
      WITH lists AS (
        SELECT (SELECT array_agg(id ORDER BY email) FROM users) AS u,
               (SELECT array_agg(id ORDER BY name) FROM client_categories) AS cat,
               ${sqlArray(FIRST)} AS first, ${sqlArray(LAST)} AS last, ${sqlArray(PREFIX)} AS prefix, ${sqlArray(SECTOR)} AS sector,
               ${sqlArray(SUFFIX)} AS suffix, ${sqlArray(FIRM)} AS firm, ${sqlArray(INDUSTRY)} AS industry, ${sqlArray(CITY)} AS city,
               ${sqlArray(COUNTRY_OF_CITY)} AS country, ${sqlArray(MAIL)} AS mail
      ), draws AS (
        SELECT g, ARRAY(SELECT random() FROM generate_series(1, 20) WHERE g > 0) AS r,
               now() - random() * interval '5 years' AS created_at
        FROM generate_series(1, ${clients}) g
      ), named AS (
        SELECT d.g, d.r, d.created_at, l.*,
          CASE WHEN d.r[1] < 0.4 THEN 'individual' ELSE 'organization' END AS ctype,
          ${pick("l.first", "d.r[2]")} AS fname, ${pick("l.last", "d.r[3]")} AS lname,
          ${pick("l.prefix", "d.r[4]")} AS pfx, ${pick("l.sector", "d.r[5]")} AS sec, ${pick("l.last", "d.r[6]")} AS lname2,
          1 + floor(d.r[7] * array_length(l.city, 1))::int AS city_i,
          1 + floor(d.r[8] * ${USERS})::int AS am_i, 1 + floor(d.r[9] * ${USERS})::int AS poc_i
        FROM draws d CROSS JOIN lists l
      ), shaped AS (
        SELECT n.*,
          CASE WHEN ctype = 'individual' THEN
                 fname || CASE WHEN r[10] < 0.15 THEN ' ' || chr(65 + floor(r[11] * 26)::int) || '. ' ELSE ' ' END || lname
               WHEN r[10] < 0.50 THEN pfx || ' ' || sec || ' ' || ${pick("suffix", "r[11]")}
               WHEN r[10] < 0.75 THEN lname || ' ' || sec || ' ' || ${pick("suffix", "r[11]")}
               WHEN r[10] < 0.90 THEN lname || ' & ' || lname2 || ' ' || ${pick("firm", "r[11]")}
               ELSE pfx || ' ' || ${pick("prefix", "r[11]")} || ' ' || sec END AS cname,
          CASE WHEN ctype = 'individual' THEN lower(fname || '.' || lname) || (g % 1000) || '@' || ${pick("mail", "r[12]")}
               ELSE 'info@' || lower(regexp_replace(CASE WHEN r[10] < 0.5 OR r[10] >= 0.9 THEN pfx || sec WHEN r[10] < 0.75 THEN lname || sec ELSE lname || lname2 END,
                 '[^a-zA-Z]', '', 'g')) || '.example.com' END AS cemail,
          CASE WHEN r[13] < 0.72 THEN 'active' WHEN r[13] < 0.82 THEN 'on_hold' WHEN r[13] < 0.92 THEN 'archived' ELSE 'inactive' END AS cstatus,
          r[14] < 0.10 AS restricted
        FROM named n
      ), numbered AS (
        SELECT s.*, row_number() OVER (PARTITION BY extract(year FROM created_at) ORDER BY created_at, g) AS seq FROM shaped s
      )
      INSERT INTO clients (id, client_code, name, client_type, category_id, status, email, phone, website, address_line1, city, postal_code, country,
        date_of_birth, ssn_last4, tax_id, industry, intake_date, client_since, referral_source, notes, is_confidential, data_classification,
        account_manager_id, primary_poc_id, secondary_poc_id, last_contact_at, last_contact_type, last_contact_by_id, last_contact_summary,
        next_contact_at, next_contact_type, next_contact_assignee_id, relationship_strength, priority, relationship_status,
        deactivated_at, deactivation_reason, deactivated_by_id, created_by_id, updated_by_id, created_at, updated_at)
      SELECT gen_random_uuid(),
        'CLT-' || extract(year FROM created_at)::int || '-' || lpad(seq::text, greatest(4, length(seq::text)), '0'),
        cname, ctype::"ClientType",
        CASE WHEN r[15] < 0.85 THEN ${pick("cat", "r[16]")}::uuid END,
        cstatus::"ClientStatus",
        CASE WHEN r[17] < 0.85 THEN cemail END,
        CASE WHEN r[18] < 0.8 THEN '+1 ' || (200 + floor(r[19] * 799)::int) || ' 555 ' || lpad(floor(r[20] * 10000)::int::text, 4, '0') END,
        CASE WHEN ctype = 'organization' AND r[17] < 0.6 THEN 'https://' || split_part(cemail, '@', 2) END,
        (1 + floor(r[19] * 998)::int) || ' ' || ${pick("last", "r[20]")} || ' Street',
        city[city_i], lpad(floor(r[18] * 99999)::int::text, 5, '0'), country[city_i],
        CASE WHEN ctype = 'individual' AND r[16] < 0.6 THEN DATE '1940-01-01' + floor(r[19] * 25000)::int END,
        CASE WHEN ctype = 'individual' AND r[16] < 0.3 THEN lpad(floor(r[20] * 10000)::int::text, 4, '0') END,
        CASE WHEN ctype = 'organization' AND r[16] < 0.7 THEN lpad(floor(r[19] * 100)::int::text, 2, '0') || '-' || lpad(floor(r[20] * 10000000)::int::text, 7, '0') END,
        CASE WHEN ctype = 'organization' THEN ${pick("industry", "r[12]")} END,
        created_at::date, CASE WHEN r[11] < 0.8 THEN created_at::date END,
        CASE WHEN r[12] < 0.3 THEN 'Referral from ' || ${pick("last", "r[2]")} END,
        CASE WHEN r[13] < 0.3 THEN 'Onboarded by the ' || lower(${pick("sector", "r[6]")}) || ' desk; prefers email.' END,
        restricted,
        (CASE WHEN restricted AND r[15] < 0.5 THEN 'privileged' WHEN r[15] < 0.15 THEN 'public' ELSE 'confidential' END)::"DataClassification",
        CASE WHEN r[9] < 0.9 THEN u[am_i] END,
        CASE WHEN r[8] < 0.8 THEN u[poc_i] END,
        CASE WHEN r[7] < 0.4 THEN u[1 + (poc_i + floor(r[6] * (${USERS} - 1))::int) % ${USERS}] END,
        CASE WHEN r[5] < 0.9 THEN current_date - floor(r[20] * 730)::int END,
        CASE WHEN r[5] < 0.9 THEN (ARRAY['in_person','phone','email','video'])[1 + floor(r[19] * 4)::int]::"ContactMethod" END,
        CASE WHEN r[5] < 0.9 THEN u[poc_i] END,
        CASE WHEN r[5] < 0.5 THEN 'Discussed the ' || lower(${pick("sector", "r[4]")}) || ' matter and next steps.' END,
        CASE WHEN r[4] < 0.4 THEN current_date + floor(r[18] * 150)::int - 30 END,
        CASE WHEN r[4] < 0.4 THEN (ARRAY['in_person','phone','email','video'])[1 + floor(r[17] * 4)::int]::"ContactMethod" END,
        CASE WHEN r[4] < 0.4 THEN u[am_i] END,
        CASE WHEN r[3] < 0.5 THEN (ARRAY['strong','good','needs_attention','at_risk','new'])[1 + floor(r[12] * 5)::int]::"RelationshipStrength" END,
        CASE WHEN r[3] < 0.5 THEN (ARRAY['strategic','high','medium','low','opportunistic'])[1 + floor(r[13] * 5)::int]::"ClientPriority" END,
        CASE WHEN r[3] < 0.5 THEN (ARRAY['active','warm','cold','prospective'])[1 + floor(r[14] * 4)::int]::"RelationshipStatus" END,
        CASE WHEN cstatus = 'inactive' THEN created_at + (now() - created_at) * r[2] END,
        CASE WHEN cstatus = 'inactive' THEN 'Matter closed; no further work expected.' END,
        CASE WHEN cstatus = 'inactive' THEN u[1 + floor(r[3] * 3)::int] END,
        u[1 + floor(r[2] * 12)::int], u[am_i],
        created_at, created_at + (now() - created_at) * r[1]
      FROM numbered`);
    log(`  clients: ${inserted.rowCount} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // Teams: 1-3 people on each restricted client, and on 2% of the others.
    const team = await db.query(`
      INSERT INTO client_team_members (client_id, user_id, added_at)
      SELECT c.id, u[1 + floor(random() * ${USERS})::int], c.created_at
      FROM (SELECT id, created_at, 1 + floor(random() * 3)::int AS n FROM clients WHERE is_confidential OR random() < 0.02) c
        CROSS JOIN LATERAL generate_series(1, c.n) k
        CROSS JOIN (SELECT array_agg(id ORDER BY email) AS u FROM users) us
      ON CONFLICT DO NOTHING`);

    // Contacts: 1-3 per organization (about 2), the first one primary.
    const t2 = performance.now();
    const contacts = await db.query(`
      INSERT INTO contacts (id, client_id, name, title, email, phone, is_primary, active, created_at, updated_at)
      SELECT gen_random_uuid(), c.id, f || ' ' || l, (${sqlArray(TITLE)})[1 + floor(random() * ${TITLE.length})::int],
        CASE WHEN random() < 0.9 THEN lower(f || '.' || l) || '@' || coalesce(split_part(c.email, '@', 2), 'example.org') END,
        CASE WHEN random() < 0.7 THEN '+1 ' || (200 + floor(random() * 799)::int) || ' 555 ' || lpad(floor(random() * 10000)::int::text, 4, '0') END,
        k = 1, random() < 0.95, c.created_at, c.created_at
      FROM (SELECT id, email, created_at, 1 + floor(random() * 3)::int AS n FROM clients WHERE client_type = 'organization') c
        CROSS JOIN LATERAL generate_series(1, c.n) k
        CROSS JOIN LATERAL (SELECT (${sqlArray(FIRST)})[1 + floor(random() * ${FIRST.length} + k * 0)::int] AS f,
                                   (${sqlArray(LAST)})[1 + floor(random() * ${LAST.length} + k * 0)::int] AS l) p`);
    log(`  contacts: ${contacts.rowCount} rows in ${((performance.now() - t2) / 1000).toFixed(1)} s`);

    // New creates continue each year's sequence.
    await db.query(`
      INSERT INTO client_code_counters (year, last)
      SELECT split_part(client_code, '-', 2)::int, max(split_part(client_code, '-', 3)::int) FROM clients GROUP BY 1
      ON CONFLICT (year) DO UPDATE SET last = greatest(client_code_counters.last, excluded.last)`);
    await db.query("COMMIT");

    // Set hint bits and the visibility map now, and fresh statistics, so autovacuum does not start in the middle of a run.
    const t3 = performance.now();
    for (const table of ["users", "client_categories", "clients", "client_team_members", "client_team_users", "contacts", "client_code_counters"]) {
      await db.query(`VACUUM (ANALYZE) ${table}`);
    }
    await db.query("CHECKPOINT").catch(() => undefined); // needs superuser or pg_checkpoint; only lowers noise
    log(`  vacuum/analyze/checkpoint: ${((performance.now() - t3) / 1000).toFixed(1)} s`);
    return { clients: inserted.rowCount ?? 0, contacts: contacts.rowCount ?? 0, teamMembers: team.rowCount ?? 0, users: USERS, ms: performance.now() - started };
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await db.end();
  }
}


// ---------- cases ----------

export interface CaseSeedResult {
  cases: number;
  teamMembers: number;
  stages: number;
  approvals: number;
  types: number;
  ms: number;
}

/** Case types (code, name, parent code, legal review, compliance review, default billing). */
const CASE_TYPES: [string, string, string | null, boolean, boolean, string | null][] = [
  ["LIT", "Litigation", null, true, false, "hourly"],
  ["LIT-COM", "Commercial dispute", "LIT", true, false, "hourly"],
  ["LIT-EMP", "Employment claim", "LIT", true, false, "contingency"],
  ["CORP", "Corporate", null, false, false, "hourly"],
  ["CORP-MA", "Mergers and acquisitions", "CORP", false, true, "fixed_fee"],
  ["CORP-CON", "Contract review", "CORP", false, false, "fixed_fee"],
  ["TAX", "Tax advisory", null, false, true, "retainer"],
  ["RE", "Real estate transaction", null, false, false, "fixed_fee"],
  ["EST", "Estate planning", null, false, false, "fixed_fee"],
  ["REG", "Regulatory filing", null, true, true, "hourly"],
  ["IMM", "Immigration", null, false, false, "fixed_fee"],
  ["IP", "Intellectual property", null, false, false, "hourly"],
];
const MATTER = "Share purchase agreement;Lease renewal;Employment dispute;Trademark filing;Annual tax return;Visa application;Will and trust review;Supplier contract review;Regulatory audit response;Debt recovery;Shareholder dispute;Property acquisition;Due diligence;Data protection review;Licensing agreement;Board advisory;Financing round;Patent opposition;Customs ruling;Insurance claim".split(";");

/** The workflow of a type's default template: the usual stages, plus the reviews the type requires. */
function templateStages(legal: boolean, compliance: boolean) {
  const stages: { name: string; type: string; approval: boolean; approvers: number; days: number }[] = [
    { name: "Intake", type: "intake", approval: false, approvers: 1, days: 7 },
    { name: "Analysis", type: "analysis", approval: false, approvers: 1, days: 14 },
    { name: "Work", type: "work", approval: false, approvers: 1, days: 30 },
    { name: "Partner review", type: "review", approval: true, approvers: 2, days: 7 },
  ];
  if (legal) stages.push({ name: "Legal review", type: "legal_review", approval: true, approvers: 1, days: 10 });
  if (compliance) stages.push({ name: "Compliance review", type: "compliance_review", approval: true, approvers: 1, days: 10 });
  stages.push({ name: "Closing", type: "closing", approval: false, approvers: 1, days: 5 });
  return stages;
}

/**
 * Seeds `count` cases over the clients already seeded (seedDatabase first), set-based: case types (a small
 * hierarchy) with default templates, cases spread over clients, managers, statuses (older cases mostly closed),
 * priorities and review dates, 0-2 team members each, workflow stages for the ~40% opened from a template (with
 * approvals on completed approval stages), the per-year case number counters, then VACUUM ANALYZE.
 */
export async function seedCases(url: string, count: number, log: (line: string) => void = () => undefined): Promise<CaseSeedResult> {
  const started = performance.now();
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const existing = await db.query<{ n: string }>("SELECT count(*) AS n FROM cases");
    if (Number(existing.rows[0]!.n) > 0) throw new Error("the database already has cases: seed only an empty, throwaway database");
    await db.query("SET synchronous_commit = off");
    await db.query("SET maintenance_work_mem = '256MB'");
    await db.query("SET work_mem = '64MB'");
    await db.query("BEGIN");
    await db.query("SELECT setseed(0.2424)");

    for (const [code, name, parent, legal, compliance, billing] of CASE_TYPES) {
      await db.query(
        `INSERT INTO case_types (id, name, code, parent_id, requires_legal_review, requires_compliance_review, default_billing_method, active, created_at, updated_at)
         VALUES (gen_random_uuid(), $1, $2, (SELECT id FROM case_types WHERE code = $3), $4, $5, $6::"BillingMethod", true, now() - interval '5 years', now())`,
        [name, code, parent, legal, compliance, billing],
      );
      const template = await db.query<{ id: string }>(
        `INSERT INTO case_templates (id, name, code, case_type_id, active, required_document_types, created_at, updated_at)
         VALUES (gen_random_uuid(), $1, $2, (SELECT id FROM case_types WHERE code = $3), true, $4, now() - interval '5 years', now()) RETURNING id`,
        [`Standard ${name.toLowerCase()}`, `TPL-${code}`, code, compliance ? ["compliance_certificate"] : []],
      );
      const stages = templateStages(legal, compliance);
      await db.query(
        `INSERT INTO case_template_stages (id, template_id, position, name, stage_type, required, parallel, approval_required, min_approvers, default_duration_days)
         SELECT gen_random_uuid(), $1, s.ord, s.v->>'name', (s.v->>'type')::"StageType", true, false, (s.v->>'approval')::boolean, (s.v->>'approvers')::int, (s.v->>'days')::int
         FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS s(v, ord)`,
        [template.rows[0]!.id, JSON.stringify(stages)],
      );
      await db.query("UPDATE case_types SET default_template_id = $1 WHERE code = $2", [template.rows[0]!.id, code]);
    }

    // Random draws r[1..16] per case. Cases are managed by managers and staff (not the admins).
    const t = performance.now();
    const inserted = await db.query(`
      WITH lists AS (
        SELECT (SELECT array_agg(id ORDER BY client_code) FROM clients WHERE status <> 'inactive' OR random() < 0.3) AS cl,
               (SELECT array_agg(id ORDER BY email) FROM users WHERE role <> 'admin') AS mgr,
               (SELECT array_agg(id ORDER BY email) FROM users WHERE role = 'admin') AS adm,
               (SELECT array_agg(id ORDER BY code) FROM case_types) AS ty,
               ${sqlArray(MATTER)} AS matter, ${sqlArray(PREFIX)} AS prefix
      ), draws AS (
        SELECT g, ARRAY(SELECT random() FROM generate_series(1, 16) WHERE g > 0) AS r,
               now() - random() * interval '4 years' AS created_at
        FROM generate_series(1, ${count}) g
      ), shaped AS MATERIALIZED (
        -- Materialized: otherwise the picks from the arrays are evaluated after the numbering's sort, and every
        -- sorted row carries the whole client array (gigabytes of temporary files).
        SELECT d.g, d.r, d.created_at, l.adm,
          l.cl[1 + floor(d.r[1] * array_length(l.cl, 1))::int] AS client_id,
          l.mgr[1 + floor(d.r[2] * array_length(l.mgr, 1))::int] AS manager_id,
          l.ty[1 + floor(d.r[3] * array_length(l.ty, 1))::int] AS type_id,
          CASE WHEN d.created_at < now() - interval '1 year' AND d.r[5] < 0.75 THEN 'closed'
               WHEN d.r[4] < 0.10 THEN 'new' WHEN d.r[4] < 0.22 THEN 'assigned' WHEN d.r[4] < 0.52 THEN 'in_progress'
               WHEN d.r[4] < 0.60 THEN 'on_hold' WHEN d.r[4] < 0.72 THEN 'resolved' WHEN d.r[4] < 0.97 THEN 'closed' ELSE 'reopened' END AS status,
          ${pick("l.matter", "d.r[6]")} || ' — ' || ${pick("l.prefix", "d.r[7]")} || ' ' || (2020 + floor(d.r[8] * 7)::int) AS title,
          d.created_at + (now() - d.created_at) * d.r[9] AS updated_at
        FROM draws d CROSS JOIN lists l
      ), numbered AS (
        SELECT s.*, row_number() OVER (PARTITION BY extract(year FROM created_at) ORDER BY created_at, g) AS seq FROM shaped s
      )
      INSERT INTO cases (id, case_number, title, description, summary, client_id, manager_id, type_id, template_id, category, priority, complexity,
        risk_level, status, next_review_date, compliance_review_required, legal_review_required, estimated_value, actual_cost, billing_method,
        resolution_date, resolution_type, resolution_summary, satisfaction, status_changed_at, deleted_at, deleted_by_id, created_by_id, updated_by_id,
        created_at, updated_at)
      SELECT gen_random_uuid(),
        'CASE-' || extract(year FROM n.created_at)::int || '-' || lpad(n.seq::text, greatest(6, length(n.seq::text)), '0'),
        n.title, 'Engagement: ' || lower(n.title) || '. Scope, deliverables and fees as agreed in the engagement letter.',
        CASE WHEN n.r[10] < 0.3 THEN 'Client expects a first opinion within the month.' END,
        n.client_id, n.manager_id, n.type_id,
        CASE WHEN n.r[11] < 0.4 THEN t.default_template_id END,
        (ARRAY['advisory','litigation','transactional','regulatory','dispute','other'])[1 + floor(n.r[12] * 6)::int]::"CaseCategory",
        (CASE WHEN n.r[13] < 0.25 THEN 'low' WHEN n.r[13] < 0.70 THEN 'medium' WHEN n.r[13] < 0.92 THEN 'high' ELSE 'critical' END)::"CasePriority",
        (ARRAY['simple','moderate','moderate','complex'])[1 + floor(n.r[14] * 4)::int]::"CaseComplexity",
        (ARRAY['low','low','medium','high','critical'])[1 + floor(n.r[15] * 5)::int]::"RiskLevel",
        n.status::"CaseStatus",
        CASE WHEN n.status NOT IN ('resolved', 'closed') AND n.r[10] < 0.8 THEN current_date + floor(n.r[16] * 150)::int - 45
             WHEN n.r[10] < 0.2 THEN n.updated_at::date END,
        t.requires_compliance_review OR n.r[16] < 0.02,
        t.requires_legal_review OR n.r[15] < 0.03,
        CASE WHEN n.r[12] < 0.6 THEN round((1000 + n.r[14] * 200000)::numeric, 2) END,
        CASE WHEN n.r[12] < 0.6 AND n.r[13] < 0.5 THEN round(((1000 + n.r[14] * 200000) * n.r[16] * 1.4)::numeric, 2) END,
        CASE WHEN n.r[12] < 0.6 THEN coalesce(t.default_billing_method, 'hourly') END,
        CASE WHEN n.status IN ('resolved', 'closed') THEN n.updated_at END,
        CASE WHEN n.status IN ('resolved', 'closed') THEN (ARRAY['favorable','settled','unfavorable','withdrawn','referred','no_action'])[1 + floor(n.r[6] * 6)::int]::"ResolutionType" END,
        CASE WHEN n.status IN ('resolved', 'closed') AND n.r[7] < 0.5 THEN 'Concluded as agreed with the client.' END,
        CASE WHEN n.status = 'closed' AND n.r[8] < 0.5 THEN 1 + floor(n.r[9] * 5)::int END,
        n.updated_at,
        CASE WHEN n.r[5] > 0.99 THEN n.updated_at END, CASE WHEN n.r[5] > 0.99 THEN n.adm[1] END,
        n.manager_id, n.manager_id, n.created_at, n.updated_at
      FROM numbered n JOIN case_types t ON t.id = n.type_id`);
    log(`  cases: ${inserted.rowCount} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // Teams: 0-2 colleagues besides the manager (about 1.1 per case).
    const team = await db.query(`
      INSERT INTO case_team_members (case_id, user_id, role, added_at)
      SELECT k.id, us.u[1 + floor(random() * array_length(us.u, 1))::int],
        (ARRAY['lead','associate','associate','paralegal','consultant','reviewer','observer'])[1 + floor(random() * 7)::int]::"CaseTeamRole", k.created_at
      FROM (SELECT id, created_at, floor(random() * 2.2)::int AS n FROM cases) k
        CROSS JOIN LATERAL generate_series(1, k.n) i
        CROSS JOIN (SELECT array_agg(id ORDER BY email) AS u FROM users) us
      ON CONFLICT DO NOTHING`);

    // Stages from the template for cases opened with one: finished cases have every stage completed, others are at `cut`.
    const t2 = performance.now();
    const stages = await db.query(`
      INSERT INTO case_stages (id, case_id, position, name, stage_type, required, parallel, approval_required, min_approvers, status,
        assignee_id, deadline, started_at, completed_at, completed_by_id, updated_at)
      SELECT gen_random_uuid(), k.id, ts.position, ts.name, ts.stage_type, ts.required, ts.parallel, ts.approval_required, ts.min_approvers,
        st.status::"StageStatus", k.manager_id, (k.created_at + ts.position * interval '14 days')::date,
        CASE WHEN st.status IN ('completed', 'in_progress') THEN k.created_at + (ts.position - 1) * interval '10 days' END,
        CASE WHEN st.status = 'completed' THEN k.created_at + ts.position * interval '10 days' END,
        CASE WHEN st.status = 'completed' THEN k.manager_id END,
        k.updated_at
      FROM (SELECT id, status, template_id, manager_id, created_at, updated_at, 1 + floor(random() * 4)::int AS cut FROM cases WHERE template_id IS NOT NULL) k
        JOIN case_template_stages ts ON ts.template_id = k.template_id
        CROSS JOIN LATERAL (SELECT CASE WHEN k.status IN ('resolved', 'closed') OR ts.position < k.cut THEN 'completed'
                                        WHEN ts.position = k.cut AND k.status IN ('assigned', 'in_progress', 'reopened') THEN 'in_progress'
                                        ELSE 'pending' END AS status) st`);
    await db.query(`UPDATE cases k SET current_stage_id = s.id FROM case_stages s WHERE s.case_id = k.id AND s.status = 'in_progress'`);
    // Completed approval stages carry their approvals, by distinct managers and admins (the legal team for reviews).
    const approvals = await db.query(`
      INSERT INTO case_stage_approvals (stage_id, user_id, note, approved_at)
      SELECT s.id, a.id, NULL, s.completed_at
      FROM case_stages s
        CROSS JOIN LATERAL (SELECT u.id FROM users u
                            WHERE CASE WHEN s.stage_type IN ('legal_review', 'compliance_review') THEN u.legal_team ELSE u.role <> 'staff' OR u.legal_team END
                            ORDER BY md5(u.id::text || s.id::text) LIMIT s.min_approvers) a
      WHERE s.approval_required AND s.status = 'completed'`);
    log(`  stages: ${stages.rowCount} rows, approvals: ${approvals.rowCount} rows in ${((performance.now() - t2) / 1000).toFixed(1)} s`);

    await db.query(`
      INSERT INTO case_number_counters (year, last)
      SELECT split_part(case_number, '-', 2)::int, max(split_part(case_number, '-', 3)::int) FROM cases GROUP BY 1
      ON CONFLICT (year) DO UPDATE SET last = greatest(case_number_counters.last, excluded.last)`);
    await db.query("COMMIT");

    const t3 = performance.now();
    for (const table of ["case_types", "case_templates", "case_template_stages", "cases", "case_team_members", "case_stages", "case_stage_approvals", "case_number_counters", "case_access"]) {
      await db.query(`VACUUM (ANALYZE) ${table}`);
    }
    await db.query("CHECKPOINT").catch(() => undefined);
    log(`  vacuum/analyze/checkpoint: ${((performance.now() - t3) / 1000).toFixed(1)} s`);
    return { cases: inserted.rowCount ?? 0, teamMembers: team.rowCount ?? 0, stages: stages.rowCount ?? 0, approvals: approvals.rowCount ?? 0, types: CASE_TYPES.length, ms: performance.now() - started };
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await db.end();
  }
}

export interface DocumentSeedResult {
  documents: number;
  versions: number;
  withText: number;
  ms: number;
}

const DOC_KIND = ["Engagement letter", "Passport copy", "Intake questionnaire", "Letter to counsel", "Compliance certificate", "Board minutes", "Share purchase agreement", "Lease", "Invoice", "Memo", "Tax return", "Settlement offer", "Expert report", "Power of attorney"];
const DOC_WORDS = "agreement party parties clause liability indemnity warranty termination notice payment invoice schedule annex lease premises tenant landlord shareholder director board resolution minutes compliance audit regulator filing deadline settlement claim damages evidence witness expert report valuation tax return merger acquisition escrow closing signature consent confidential privileged counsel opinion memorandum harbor pacific summit granite cedar northwind meridian".split(" ");

/**
 * Documents over the seeded clients and cases (`count`, twice the clients by default): about half filed on a client,
 * a third on a case only, the rest on both; 5% privileged; a first version each (its bytes are not stored: lists and
 * search read rows only), and extracted text of about 60 words for PDFs and Word files.
 */
export async function seedDocuments(url: string, count: number, log: (line: string) => void = () => undefined): Promise<DocumentSeedResult> {
  const started = performance.now();
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query("SET synchronous_commit = off");
    await db.query("SET work_mem = '64MB'");
    await db.query("BEGIN");
    await db.query("SELECT setseed(0.5151)");
    const inserted = await db.query(`
      WITH lists AS (
        SELECT (SELECT array_agg(id ORDER BY client_code) FROM clients) AS cl,
               (SELECT array_agg(id ORDER BY case_number) FROM cases WHERE deleted_at IS NULL) AS ks,
               (SELECT array_agg(client_id ORDER BY case_number) FROM cases WHERE deleted_at IS NULL) AS kc,
               (SELECT array_agg(id ORDER BY email) FROM users WHERE role <> 'admin') AS up,
               (SELECT array_agg(id ORDER BY position) FROM document_types) AS ty,
               ${sqlArray(DOC_KIND)} AS kind, ${sqlArray(PREFIX)} AS prefix, ${sqlArray([...DOC_WORDS, ...LAST.map((w) => w.toLowerCase()), ...SECTOR.map((w) => w.toLowerCase()), ...FIRST.map((w) => w.toLowerCase())])} AS words
      ), draws AS MATERIALIZED (
        SELECT g, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE g > 0) AS r, now() - random() * interval '4 years' AS created_at
        FROM generate_series(1, ${count}) g
      ), shaped AS MATERIALIZED (
        SELECT d.g, d.r, d.created_at, l.words,
          CASE WHEN d.r[1] < 0.5 OR l.ks IS NULL THEN l.cl[1 + floor(d.r[2] * array_length(l.cl, 1))::int]
               WHEN d.r[1] >= 0.83 THEN l.kc[1 + floor(d.r[2] * array_length(l.kc, 1))::int] END AS client_id,
          CASE WHEN d.r[1] >= 0.5 AND l.ks IS NOT NULL THEN l.ks[1 + floor(d.r[2] * array_length(l.ks, 1))::int] END AS case_id,
          l.ty[1 + floor(d.r[3] * array_length(l.ty, 1))::int] AS type_id,
          l.up[1 + floor(d.r[4] * array_length(l.up, 1))::int] AS uploader,
          ${pick("l.kind", "d.r[5]")} || ' ' || ${pick("l.prefix", "d.r[6]")} || ' ' || (2020 + floor(d.r[7] * 7)::int) AS title,
          CASE WHEN d.r[8] < 0.6 THEN 'pdf' WHEN d.r[8] < 0.8 THEN 'docx' WHEN d.r[8] < 0.95 THEN 'png' ELSE 'eml' END AS ext
        FROM draws d CROSS JOIN lists l
      )
      INSERT INTO documents (id, title, description, type_id, client_id, case_id, privileged, version_count, file_name, content_type, size,
        text_status, content_text, created_by_id, created_at, updated_at)
      SELECT gen_random_uuid(), s.title, NULL, s.type_id, s.client_id, s.case_id, s.r[6] < 0.05, 1,
        lower(replace(s.title, ' ', '-')) || '.' || s.ext,
        CASE s.ext WHEN 'pdf' THEN 'application/pdf' WHEN 'docx' THEN 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
          WHEN 'png' THEN 'image/png' ELSE 'message/rfc822' END,
        20000 + floor(s.r[7] * 2000000)::int,
        CASE WHEN s.ext IN ('pdf', 'docx', 'eml') THEN 'done' ELSE 'none' END,
        CASE WHEN s.ext IN ('pdf', 'docx', 'eml') THEN
          (SELECT string_agg(s.words[1 + floor(random() * array_length(s.words, 1))::int + 0 * i], ' ') FROM generate_series(1, 60) i) END,
        s.uploader, s.created_at, s.created_at
      FROM shaped s`);
    log(`  documents: ${inserted.rowCount} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const versions = await db.query(`
      INSERT INTO document_versions (id, document_id, number, storage_key, file_name, content_type, size, sha256, uploaded_by_id, uploaded_at)
      SELECT gen_random_uuid(), d.id, 1, 'documents/' || substr(d.id::text, 1, 2) || '/' || d.id, d.file_name, d.content_type, d.size,
        encode(sha256(convert_to(d.id::text, 'UTF8')), 'hex'), d.created_by_id, d.created_at
      FROM documents d`);
    const withText = await db.query<{ n: string }>("SELECT count(*) AS n FROM documents WHERE content_text IS NOT NULL");
    await db.query("COMMIT");
    for (const table of ["documents", "document_versions"]) await db.query(`VACUUM (ANALYZE) ${table}`);
    await db.query("CHECKPOINT").catch(() => undefined);
    return { documents: inserted.rowCount ?? 0, versions: versions.rowCount ?? 0, withText: Number(withText.rows[0]!.n), ms: performance.now() - started };
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await db.end();
  }
}

/** Documents to seed: BENCH_DOCUMENTS when it is a number (0 for none), else twice the clients (200,000 at 100,000). */
export function documentCountFrom(env: NodeJS.ProcessEnv, clients: number): number {
  const raw = env.BENCH_DOCUMENTS?.trim();
  if (raw && /^\d+$/.test(raw)) return Number(raw);
  return clients * 2;
}

// ---------- feedback ----------

/**
 * Seeds `count` feedback rows over the clients already seeded, set-based: each client gets consecutive quarters going
 * back from the last complete one (count / clients of them, rounded up), one in ten a monthly feedback (the middle
 * month of the quarter) instead, ratings 1-5 drifting around a per-client level, written feedback on some, the older
 * ones finalized by the client's account manager; then VACUUM ANALYZE.
 */
export async function seedFeedback(url: string, count: number, log: (line: string) => void = () => undefined): Promise<{ feedback: number; ms: number }> {
  const started = performance.now();
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const clients = Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM clients")).rows[0]!.n);
    const perClient = Math.max(1, Math.ceil(count / Math.max(1, clients)));
    // The summaries' insert trigger is off for the one big statement and the summaries rebuilt after it, in one
    // transaction: with the trigger on, the 400,000-row statement ran for over ten minutes.
    await db.query("BEGIN");
    await db.query(`ALTER TABLE client_feedback DISABLE TRIGGER client_feedback_summaries_insert`);
    const inserted = await db.query(`
      WITH slots AS (
        SELECT c.id AS client_id, coalesce(c.account_manager_id, c.created_by_id) AS by_id, q,
          (date_trunc('quarter', now()) - make_interval(months => 3 * q))::date AS quarter_start,
          2 + (abs(hashtext(c.id::text)) % 3) AS level, random() < 0.1 AS monthly
        FROM clients c CROSS JOIN generate_series(1, ${perClient}) q
        ORDER BY q, c.client_code
        LIMIT ${count})
      INSERT INTO client_feedback (id, client_id, period_kind, period_start, responsiveness, communication, requirements_clarity,
        decision_speed, overall_satisfaction, written_feedback, recorded_by_id, recorded_at, updated_at, finalized_by_id, finalized_at)
      SELECT gen_random_uuid(), s.client_id,
        (CASE WHEN s.monthly THEN 'month' ELSE 'quarter' END)::"FeedbackPeriodKind",
        CASE WHEN s.monthly THEN (s.quarter_start + interval '1 month')::date ELSE s.quarter_start END,
        least(5, greatest(1, s.level + floor(random() * 3)::int - 1)), least(5, greatest(1, s.level + floor(random() * 3)::int - 1)),
        least(5, greatest(1, s.level + floor(random() * 3)::int - 1)), least(5, greatest(1, s.level + floor(random() * 3)::int - 1)),
        least(5, greatest(1, s.level + floor(random() * 3)::int - 1)),
        CASE WHEN random() < 0.3 THEN 'Responsive team; would like clearer status updates between milestones.' END,
        s.by_id, s.quarter_start + interval '100 days', s.quarter_start + interval '100 days',
        CASE WHEN s.q > 1 THEN s.by_id END, CASE WHEN s.q > 1 THEN s.quarter_start + interval '110 days' END
      FROM slots s`);
    await db.query(`ALTER TABLE client_feedback ENABLE TRIGGER client_feedback_summaries_insert`);
    await db.query(`SELECT feedback_summaries_rebuild()`);
    await db.query("COMMIT");
    log(`  feedback: ${inserted.rowCount} rows (${perClient} periods per client) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await db.query("VACUUM (ANALYZE) client_feedback, feedback_group_sums, feedback_client_latest, feedback_team_sums, feedback_team_clients");
    return { feedback: inserted.rowCount ?? 0, ms: performance.now() - started };
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await db.end();
  }
}

/** Feedback rows to seed: BENCH_FEEDBACK (0 for none), 400,000 by default. */
export function feedbackCountFrom(env: NodeJS.ProcessEnv): number {
  const raw = env.BENCH_FEEDBACK?.trim();
  return raw && /^\d+$/.test(raw) ? Number(raw) : 400_000;
}

export interface CommunicationSeedResult {
  communications: number;
  followUps: number;
  ms: number;
}

const TOPIC = "renewal;invoice;engagement letter;quarterly review;tax filing;board meeting;due diligence;settlement offer;audit findings;payroll;lease terms;merger;compliance report;budget;hiring plan;insurance claim;trademark;pension;loan covenant;shareholder agreement".split(";");
const NOTE_WORDS = "discussed agreed asked confirmed postponed requested sent reviewed the client partner draft terms figures schedule deadline documents signature questions concerns options next steps budget timeline proposal meeting call invoice contract".split(" ");

/**
 * BENCH_COMMUNICATIONS communications over the seeded clients (one in eight on one of the client's cases), spread
 * over five years, with subjects and notes from word lists (so full-text search behaves as on real data), 10%
 * important, 2% privileged, 5% with a follow-up (half completed). No participants. Set-based, then VACUUM ANALYZE.
 */
export async function seedCommunications(url: string, count: number, log: (line: string) => void = () => undefined): Promise<CommunicationSeedResult> {
  const started = performance.now();
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query("SET synchronous_commit = off");
    await db.query("SET maintenance_work_mem = '256MB'");
    await db.query("SET work_mem = '64MB'");
    await db.query("BEGIN");
    await db.query("SELECT setseed(0.3131)");
    const onCases = Math.floor(count / 8);
    // Parenthesised: a subscript straight after a cast would be read as part of the type.
    const topics = `(${sqlArray(TOPIC)})`;
    const words = `(${sqlArray(NOTE_WORDS)})`;
    const columns = `(id, client_id, case_id, type, direction, occurred_at, subject, notes, important, privileged, follow_up_required,
      follow_up_due, follow_up_assignee_id, follow_up_completed_at, follow_up_completed_by_id, logged_by_id, created_at, updated_at)`;
    // r: one random draw per row for the row's choices; follow-ups when r < 0.05, so the CHECKs hold by construction.
    const rowSql = (clientExpr: string, caseExpr: string) => `SELECT gen_random_uuid(), ${clientExpr}, ${caseExpr},
        (ARRAY['email','phone','meeting','video','in_person','note']::"CommunicationType"[])[1 + floor(random() * 6)::int],
        (ARRAY['inbound','outbound']::"CommunicationDirection"[])[1 + floor(random() * 2)::int],
        t.at, initcap(${pick(topics, "random()")}) || ' ' || ${pick(words, "random()")},
        ${pick(words, "random()")} || ' ' || ${pick(words, "random()")} || ' ' || ${pick(topics, "random()")} || ' ' || ${pick(words, "random()")} || ' ' || ${pick(words, "random()")},
        random() < 0.1, random() < 0.02, t.r < 0.05,
        CASE WHEN t.r < 0.05 THEN (t.at + (floor(t.r * 1200) || ' days')::interval)::date END,
        CASE WHEN t.r < 0.05 THEN u.ids[1 + floor(random() * array_length(u.ids, 1))::int] END,
        CASE WHEN t.r < 0.025 THEN t.at + interval '1 day' END,
        CASE WHEN t.r < 0.025 THEN u.ids[1] END,
        u.ids[1 + floor(random() * array_length(u.ids, 1))::int], t.at, t.at`;
    const users = "(SELECT array_agg(id ORDER BY id) AS ids FROM users) u";
    // Clients and cases are picked by a random row number joined to a numbered copy: subscripting an array of all
    // 100,000 client ids per row copied the whole array each time, which made a million rows take over 20 minutes.
    await db.query(`CREATE TEMP TABLE seed_clients ON COMMIT DROP AS SELECT (row_number() OVER (ORDER BY id))::int AS n, id FROM clients`);
    await db.query(`CREATE TEMP TABLE seed_cases ON COMMIT DROP AS SELECT (row_number() OVER (ORDER BY id))::int AS n, id, client_id FROM cases WHERE deleted_at IS NULL`);
    await db.query("CREATE UNIQUE INDEX ON seed_clients (n)");
    await db.query("CREATE UNIQUE INDEX ON seed_cases (n)");
    await db.query("ANALYZE seed_clients");
    await db.query("ANALYZE seed_cases");
    const clientRows = Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM seed_clients")).rows[0]!.n);
    const caseRows = Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM seed_cases")).rows[0]!.n);
    await db.query(
      `INSERT INTO communications ${columns}
       ${rowSql("k.id", "NULL")}
       FROM ${users} CROSS JOIN (SELECT now() - random() * interval '5 years' AS at, random() AS r, 1 + floor(random() * $2)::int AS pick
                                 FROM generate_series(1, $1) g) t
         JOIN seed_clients k ON k.n = t.pick`,
      [count - onCases, clientRows],
    );
    if (onCases > 0 && caseRows > 0) {
      await db.query(
        `INSERT INTO communications ${columns}
         ${rowSql("k.client_id", "k.id")}
         FROM ${users} CROSS JOIN (SELECT now() - random() * interval '5 years' AS at, random() AS r, 1 + floor(random() * $2)::int AS pick
                                   FROM generate_series(1, $1) g) t
           JOIN seed_cases k ON k.n = t.pick`,
        [onCases, caseRows],
      );
    }
    await db.query("COMMIT");
    log("Analyzing communications…");
    await db.query("VACUUM ANALYZE communications");
    const followUps = await db.query<{ n: string }>("SELECT count(*) AS n FROM communications WHERE follow_up_required");
    const total = await db.query<{ n: string }>("SELECT count(*) AS n FROM communications");
    return { communications: Number(total.rows[0]!.n), followUps: Number(followUps.rows[0]!.n), ms: performance.now() - started };
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await db.end();
  }
}


/** Cases to seed: BENCH_CASES when it is a number (0 for none), else twice the clients (200,000 at 100,000). */
export function caseCountFrom(env: NodeJS.ProcessEnv, clients: number): number {
  const raw = env.BENCH_CASES?.trim();
  if (raw && /^\d+$/.test(raw)) return Number(raw);
  return clients * 2;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("Set DATABASE_URL to an empty, migrated throwaway database (or use `npm run bench`, which makes its own).");
    process.exit(2);
  }
  const n = Number(process.env.BENCH_CLIENTS ?? 100_000);
  const cases = caseCountFrom(process.env, n);
  seedDatabase(url, n, console.log).then(
    async (r) => {
      console.log(`seeded ${r.clients} clients, ${r.contacts} contacts, ${r.teamMembers} team members, ${r.users} users in ${(r.ms / 1000).toFixed(1)} s`);
      if (cases === 0) return;
      const k = await seedCases(url, cases, console.log);
      console.log(`seeded ${k.cases} cases, ${k.teamMembers} case team members, ${k.stages} stages, ${k.approvals} approvals in ${(k.ms / 1000).toFixed(1)} s`);
      const documents = documentCountFrom(process.env, n);
      if (documents === 0) return;
      const d = await seedDocuments(url, documents, console.log);
      console.log(`seeded ${d.documents} documents (${d.withText} with text) in ${(d.ms / 1000).toFixed(1)} s`);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}

export interface PipelineSeedResult {
  campaigns: number;
  leads: number;
  prospects: number;
  openProposals: number;
  ms: number;
}

/** Leads and prospects to seed: BENCH_LEADS (100,000) and BENCH_PROSPECTS (30,000); BENCH_LEADS=0 seeds no pipeline. */
export function pipelineCountsFrom(env: NodeJS.ProcessEnv): { leads: number; prospects: number; proposals: number } {
  const n = (name: string, fallback: number) => (env[name]?.trim() && /^\d+$/.test(env[name]!.trim()) ? Number(env[name]) : fallback);
  const leads = n("BENCH_LEADS", 100_000);
  return { leads, prospects: Math.min(n("BENCH_PROSPECTS", 30_000), leads), proposals: n("BENCH_PROPOSALS", 6_000) };
}

/**
 * The pre-sale pipeline: 12 campaigns; `leads` leads owned by the 50 users in turn, with company names from the clients'
 * word lists; `prospects` prospects qualified from the first leads, spread over the stages; and `proposals` sent
 * proposals, each to its own prospect in negotiation owned by the bench manager, for the conversion measurement.
 */
export async function seedPipeline(url: string, counts: { leads: number; prospects: number; proposals: number }, log: (line: string) => void = () => undefined): Promise<PipelineSeedResult> {
  const started = performance.now();
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query("SET synchronous_commit = off");
    await db.query("SET work_mem = '64MB'");
    await db.query("BEGIN");
    await db.query("SELECT setseed(0.1717)");
    await db.query(`
      INSERT INTO campaigns (id, name, campaign_type, start_date, end_date, budget, owner_id, updated_at)
      SELECT gen_random_uuid(), (ARRAY['Spring','Summer','Autumn','Winter'])[1 + g % 4] || ' ' || (ARRAY['webinar','newsletter','guide','conference'])[1 + g % 4] || ' ' || (2020 + g / 4),
        (ARRAY['webinar','email','content','event'])[1 + g % 4]::"CampaignType", DATE '2020-01-01' + g * 120, DATE '2020-01-01' + g * 120 + 30,
        1000 * (1 + g % 7), (SELECT id FROM users WHERE email = $1), now()
      FROM generate_series(1, 12) g`, [MANAGER_EMAIL]);
    const t = performance.now();
    const leads = await db.query(`
      WITH lists AS (
        SELECT (SELECT array_agg(id ORDER BY email) FROM users) AS u, (SELECT array_agg(id ORDER BY start_date) FROM campaigns) AS camp,
          ${sqlArray(FIRST)} AS first, ${sqlArray(LAST)} AS last, ${sqlArray(PREFIX)} AS prefix, ${sqlArray(SECTOR)} AS sector, ${sqlArray(SUFFIX)} AS suffix
      ), draws AS (
        SELECT g, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE g > 0) AS r, now() - random() * interval '3 years' AS created_at
        FROM generate_series(1, ${counts.leads}) g
      ), named AS (
        SELECT d.*, l.u, l.camp, ${pick("l.prefix", "d.r[1]")} || ' ' || ${pick("l.sector", "d.r[2]")} || ' ' || ${pick("l.suffix", "d.r[3]")} AS company,
          ${pick("l.first", "d.r[4]")} AS fname, ${pick("l.last", "d.r[5]")} AS lname
        FROM draws d CROSS JOIN lists l
      )
      INSERT INTO leads (id, company_name, contact_name, email, source, status, lost_reason, score, campaign_id, owner_id, captured_date, created_by_id, created_at, updated_at)
      SELECT gen_random_uuid(), company, fname || ' ' || lname, lower(fname || '.' || lname) || g || '@lead.example',
        (ARRAY['website','referral','campaign','event','outbound','partner'])[1 + floor(r[6] * 6)::int],
        (CASE WHEN g <= ${counts.prospects} THEN 'qualified' WHEN r[7] < 0.45 THEN 'new' WHEN r[7] < 0.8 THEN 'contacted' ELSE 'lost' END)::"LeadStatus",
        CASE WHEN g > ${counts.prospects} AND r[7] >= 0.8 THEN 'No budget this year' END,
        floor(r[8] * 101)::int, CASE WHEN r[6] < 0.4 THEN camp[1 + g % array_length(camp, 1)] END,
        u[1 + g % array_length(u, 1)], created_at::date, u[1 + g % array_length(u, 1)], created_at, created_at
      FROM named`);
    log(`  leads: ${leads.rowCount} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const prospects = await db.query(`
      WITH q AS (SELECT l.*, row_number() OVER (ORDER BY l.created_at, l.id) AS g, random() AS r FROM leads l WHERE l.status = 'qualified')
      INSERT INTO prospects (id, lead_id, company_name, contact_name, contact_email, stage, estimated_value, probability, expected_close_date, lost_reason,
        campaign_id, owner_id, won_at, created_by_id, created_at, updated_at)
      SELECT gen_random_uuid(), q.id, q.company_name, q.contact_name, q.email,
        (CASE WHEN q.r < 0.35 THEN 'discovery' WHEN q.r < 0.6 THEN 'proposal' WHEN q.r < 0.8 THEN 'negotiation' WHEN q.r < 0.9 THEN 'lost' ELSE 'won' END)::"ProspectStage",
        round((5000 + q.r * 95000)::numeric, -2), (10 + floor(q.r * 80))::int, current_date + (q.g % 180)::int,
        CASE WHEN q.r >= 0.8 AND q.r < 0.9 THEN 'Chose a competitor' END, q.campaign_id, q.owner_id,
        CASE WHEN q.r >= 0.9 THEN q.created_at + interval '30 days' END, q.owner_id, q.created_at, q.created_at + interval '1 day'
      FROM q`);
    // Open prospects in negotiation with one sent proposal each, owned by the manager: what the conversion case accepts.
    const manager = (await db.query<{ id: string }>("SELECT id FROM users WHERE email = $1", [MANAGER_EMAIL])).rows[0]!.id;
    const open = await db.query(`
      WITH p AS (
        INSERT INTO prospects (id, company_name, contact_name, contact_email, stage, estimated_value, probability, owner_id, created_by_id, updated_at)
        SELECT gen_random_uuid(), 'Bench Conversion ' || g || ' Ltd', 'Contact ' || g, 'contact' || g || '@conversion.example', 'negotiation', 20000, 80, $1, $1, now()
        FROM generate_series(1, ${counts.proposals}) g
        RETURNING id, company_name
      ), pr AS (
        INSERT INTO proposals (id, number, prospect_id, status, sent_at, created_by_id, updated_at)
        SELECT gen_random_uuid(), 'PRP-2000-' || lpad(row_number() OVER (ORDER BY p.id)::text, 6, '0'), p.id, 'sent', now(), $1, now() FROM p
        RETURNING id
      )
      INSERT INTO proposal_versions (id, proposal_id, version, amount, currency, scope, sent_at, created_by_id)
      SELECT gen_random_uuid(), pr.id, 1, 20000, 'USD', 'Annual advisory retainer', now(), $1 FROM pr`, [manager]);
    await db.query("COMMIT");
    await db.query("ANALYZE campaigns, leads, prospects, proposals, proposal_versions");
    return { campaigns: 12, leads: leads.rowCount ?? 0, prospects: (prospects.rowCount ?? 0) + (open.rowCount ?? 0), openProposals: open.rowCount ?? 0, ms: performance.now() - started };
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await db.end();
  }
}

// ---------- roundtable meetings ----------

/** The relationship-team user of the roundtable and dashboard measurements (staff, no view-confidential, on some client teams). */
export const RELATIONSHIP_EMAIL = "bench.relationship@firm.example";

export interface RoundtableSeedResult {
  meetings: number;
  attendees: number;
  entries: number;
  meetingClients: number;
  actionItems: number;
  openActionItems: number;
  ms: number;
}

/** BENCH_ROUNDTABLE_ENTRIES (five per client by default: 500,000 at 100,000 clients; 0: none) and BENCH_ROUNDTABLE_MEETINGS (260: weekly for 5 years). */
export function roundtableCountsFrom(env: NodeJS.ProcessEnv, clients: number): { entries: number; meetings: number } {
  const n = (name: string, fallback: number) => (env[name]?.trim() && /^\d+$/.test(env[name]!.trim()) ? Number(env[name]) : fallback);
  return { entries: n("BENCH_ROUNDTABLE_ENTRIES", clients * 5), meetings: Math.max(1, n("BENCH_ROUNDTABLE_MEETINGS", 260)) };
}

/**
 * Roundtable meetings over the clients already seeded, set-based: one of the relationship-team staff users becomes
 * RELATIONSHIP_EMAIL; `meetings` weekly meetings ending today, all ended but today's (open, the bench user attends),
 * each attended by about two thirds of the team; `entries` entries spread evenly over the meetings, four in five for
 * the clients meeting mode lists (active, relationship Active/Warm or priority Strategic/High: src/roundtable/
 * selectors.ts) and the rest for other clients, each meeting's clients distinct (unique meeting_id, client_id) and
 * walking round the lists so every client gets its share; action items on about 8% of the entries, open for
 * meetings of the last 8 weeks (about a third to the bench user), completed before. Then the trigger-kept tables the
 * dashboards read are rebuilt as their migrations do (client_assessment_counts) or as the daily job does
 * (attention_weekly_counts, the last 12 weeks, after the communications are in).
 */
export async function seedRoundtable(url: string, counts: { entries: number; meetings: number }, log: (line: string) => void = () => undefined): Promise<RoundtableSeedResult> {
  const started = performance.now();
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const existing = await db.query<{ n: string }>("SELECT count(*) AS n FROM roundtable_meetings");
    if (Number(existing.rows[0]!.n) > 0) throw new Error("the database already has roundtable meetings: seed only a throwaway database");
    await db.query("SET synchronous_commit = off");
    await db.query("SET maintenance_work_mem = '256MB'");
    await db.query("SET work_mem = '64MB'");
    await db.query("BEGIN");
    await db.query("SELECT setseed(0.2323)");
    const user = await db.query<{ id: string }>(
      `UPDATE users SET email = $1 WHERE id = (SELECT id FROM users WHERE relationship_team AND role = 'staff' AND NOT view_confidential AND active ORDER BY email LIMIT 1) RETURNING id`,
      [RELATIONSHIP_EMAIL],
    );
    const rel = user.rows[0]?.id;
    if (!rel) throw new Error("no relationship-team staff user to sign in as");
    const M = counts.meetings;
    // Weekly meetings up to today; today's is open.
    await db.query(`
      WITH team AS (SELECT array_agg(id ORDER BY email) AS u FROM users WHERE relationship_team AND active),
      d AS (SELECT g, current_date - 7 * (${M} - g) AS day FROM generate_series(1, ${M}) g)
      INSERT INTO roundtable_meetings (id, meeting_date, agenda, created_by_id, started_at, ended_at, created_at, updated_at)
      SELECT gen_random_uuid(), d.day, CASE WHEN g % 4 = 0 THEN 'Quarter review of strategic clients' END,
        CASE WHEN g = ${M} THEN $1::uuid ELSE team.u[1 + g % array_length(team.u, 1)] END,
        d.day + time '09:00', CASE WHEN g < ${M} THEN d.day + time '10:30' END, d.day + time '09:00', d.day + time '10:30'
      FROM d CROSS JOIN team`, [rel]);
    const attendees = await db.query(`
      INSERT INTO roundtable_attendees (meeting_id, user_id)
      SELECT m.id, t.u FROM (SELECT id, row_number() OVER (ORDER BY meeting_date) AS k FROM roundtable_meetings) m
        CROSS JOIN (SELECT id AS u, row_number() OVER (ORDER BY email) AS j FROM users WHERE relationship_team AND active) t
      WHERE (m.k + t.j) % 3 <> 0 OR t.u = $1`, [rel]);

    // The clients meeting mode lists, and the others, numbered from 0 for the round-robin.
    const meetingWhere = "status = 'active' AND (relationship_status IN ('active', 'warm') OR priority IN ('strategic', 'high'))";
    await db.query(`CREATE TEMP TABLE bench_rq ON COMMIT DROP AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS i, id FROM clients WHERE ${meetingWhere}`);
    await db.query(`CREATE TEMP TABLE bench_ro ON COMMIT DROP AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS i, id FROM clients WHERE NOT (${meetingWhere})`);
    await db.query("CREATE UNIQUE INDEX ON bench_rq (i)");
    await db.query("CREATE UNIQUE INDEX ON bench_ro (i)");
    await db.query("ANALYZE bench_rq, bench_ro");
    const nQ = Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM bench_rq")).rows[0]!.n);
    const nO = Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM bench_ro")).rows[0]!.n);
    const perMeeting = Math.ceil(counts.entries / M);
    const perQ = Math.min(nQ, Math.round(perMeeting * 0.8));
    const perO = Math.min(nO, perMeeting - perQ);
    const t = performance.now();
    let entries = 0;
    for (const [table, per, size] of [["bench_rq", perQ, nQ], ["bench_ro", perO, nO]] as const) {
      if (per <= 0 || size <= 0) continue;
      const inserted = await db.query(`
        WITH team AS (SELECT array_agg(id ORDER BY email) AS u FROM users WHERE relationship_team AND active),
        m AS (SELECT id, meeting_date, ended_at, row_number() OVER (ORDER BY meeting_date)::bigint AS k FROM roundtable_meetings)
        INSERT INTO roundtable_entries (id, meeting_id, client_id, near_term_focus, work_targets, discussion, next_steps, author_id, saved_at, created_at, updated_at)
        SELECT gen_random_uuid(), m.id, c.id,
          CASE WHEN s.j % 3 <> 0 THEN 'Renewal of the ' || (ARRAY['retainer','engagement','audit','advisory mandate'])[1 + (s.j + m.k) % 4] || ' this quarter' END,
          CASE WHEN s.j % 2 = 0 THEN 'Cross-sell ' || (ARRAY['tax','employment','real estate','litigation support'])[1 + (s.j * 7 + m.k) % 4] || ' work' END,
          'Discussed the relationship in meeting ' || m.k || '; ' || (ARRAY['client is happy with the team','fees were questioned','new general counsel started','expansion planned abroad','quiet since the last matter'])[1 + (s.j + m.k * 3) % 5] || '.',
          CASE WHEN s.j % 4 <> 1 THEN 'Call the client before the next meeting.' END,
          team.u[1 + (s.j + m.k) % array_length(team.u, 1)],
          CASE WHEN m.ended_at IS NOT NULL OR s.j % 2 = 0 THEN m.meeting_date + time '09:30' END,
          m.meeting_date + time '09:00' + s.j * interval '100 milliseconds', m.meeting_date + time '09:30'
        FROM m CROSS JOIN generate_series(0, ${per - 1}) s(j) CROSS JOIN team
          JOIN ${table} c ON c.i = ((m.k * ${per} + s.j) % ${size})::int`);
      entries += inserted.rowCount ?? 0;
    }
    log(`  roundtable entries: ${entries} rows (${perQ} meeting-mode and ${perO} other clients per meeting, of ${nQ} and ${nO}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const items = await db.query(`
      WITH team AS (SELECT array_agg(id ORDER BY email) AS u FROM users WHERE relationship_team AND active)
      INSERT INTO roundtable_action_items (id, entry_id, client_id, description, assignee_id, due_date, completed_at, completed_by_id, created_at)
      SELECT gen_random_uuid(), e.id, e.client_id, 'Send the ' || (ARRAY['proposal','fee letter','meeting notes','engagement terms'])[1 + floor(r * 4)::int] || ' to the client',
        a.assignee, m.meeting_date + 7 + floor(r * 50)::int,
        CASE WHEN m.meeting_date < current_date - 56 THEN m.meeting_date + time '12:00' + floor(r * 30)::int * interval '1 day' END,
        CASE WHEN m.meeting_date < current_date - 56 THEN a.assignee END,
        e.created_at
      FROM (SELECT e.*, random() AS r FROM roundtable_entries e) e JOIN roundtable_meetings m ON m.id = e.meeting_id CROSS JOIN team
        CROSS JOIN LATERAL (SELECT CASE WHEN e.r < 0.027 THEN $1::uuid ELSE team.u[1 + floor(e.r * 1000)::int % array_length(team.u, 1)] END AS assignee) a
      WHERE e.r < 0.08`, [rel]);
    const open = await db.query<{ n: string }>("SELECT count(*) AS n FROM roundtable_action_items WHERE completed_at IS NULL");

    // The counts the relationship dashboard reads, rebuilt as the migration fills them (the triggers kept them already).
    await db.query("DELETE FROM client_assessment_counts");
    await db.query(`INSERT INTO client_assessment_counts (priority, relationship, is_confidential, n)
      SELECT coalesce(priority::text, ''), coalesce(relationship_status::text, ''), is_confidential, count(*) FROM clients GROUP BY 1, 2, 3`);
    const meetingClients = nQ;
    await db.query("COMMIT");

    // The attention chart's weekly counts: what the app's daily job writes (the last 12 weeks from the communications).
    const t2 = performance.now();
    const { connectDatabase } = await import("../src/db/client.ts");
    const { runAttentionSnapshot } = await import("../src/dashboard/attention-history.ts");
    const database = connectDatabase(url, { max: 1 });
    try {
      await runAttentionSnapshot(database.prisma);
    } finally {
      await database.close();
    }
    log(`  attention weekly counts (12 weeks) in ${((performance.now() - t2) / 1000).toFixed(1)} s`);
    for (const table of ["users", "roundtable_meetings", "roundtable_attendees", "roundtable_entries", "roundtable_action_items", "client_assessment_counts", "attention_weekly_counts", "attention_weekly_restricted"]) {
      await db.query(`VACUUM (ANALYZE) ${table}`);
    }
    return { meetings: M, attendees: attendees.rowCount ?? 0, entries, meetingClients, actionItems: items.rowCount ?? 0, openActionItems: Number(open.rows[0]!.n), ms: performance.now() - started };
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await db.end();
  }
}
