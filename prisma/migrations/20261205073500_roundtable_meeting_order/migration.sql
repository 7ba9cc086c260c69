-- Meeting mode reads the meeting's clients (active, with an Active or Warm relationship or a Strategic or High
-- priority: src/roundtable/selectors.ts) one (priority, attention) bucket at a time, each an ordered range over the
-- last contact date: this partial index holds exactly those clients in that order.
CREATE INDEX "clients_roundtable_order_idx" ON "clients" ("priority", "last_contact_at", "id")
  WHERE "status" = 'active' AND ("relationship_status" IN ('active', 'warm') OR "priority" IN ('strategic', 'high'));
