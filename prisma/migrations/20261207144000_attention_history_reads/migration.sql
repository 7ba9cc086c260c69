-- The relationship dashboard's attention history counts the reader's restricted clients on each of the last 12 weeks'
-- days (src/dashboard/attention-history.ts): a client's last contact as of a day is the latest contact (not a note) of
-- a live communication before the day's end. This index answers that from its entries alone, where the client's index
-- of every communication visited each candidate row for its type and deletion.
CREATE INDEX "communications_contacts_by_client" ON "communications" ("client_id", "occurred_at" DESC)
  WHERE "deleted_at" IS NULL AND "type" <> 'note';

-- The reader's restricted clients with the columns the history reads (last contact, creation), from the index of
-- restricted clients alone.
DROP INDEX "clients_confidential";
CREATE INDEX "clients_confidential" ON "clients" ("id") INCLUDE ("last_contact_at", "created_at") WHERE "is_confidential";
