// Seeds a benchmark database fast, with set-based SQL: ~50 users, categories, N clients (individuals and
// organizations, realistic names from word lists so trigram search behaves as on real data), ~10% restricted
// with teams, ~2 contacts per organization, the client-code counters, then VACUUM ANALYZE.
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
    for (const table of ["users", "client_categories", "clients", "client_team_members", "contacts", "client_code_counters"]) {
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("Set DATABASE_URL to an empty, migrated throwaway database (or use `npm run bench`, which makes its own).");
    process.exit(2);
  }
  const n = Number(process.env.BENCH_CLIENTS ?? 100_000);
  seedDatabase(url, n, console.log).then(
    (r) => console.log(`seeded ${r.clients} clients, ${r.contacts} contacts, ${r.teamMembers} team members, ${r.users} users in ${(r.ms / 1000).toFixed(1)} s`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
