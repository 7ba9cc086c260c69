-- Hand-added. The client list sorted by last contact (never contacted last, or first ascending) with the id that breaks
-- ties and pages by keyset: a page walks this in order and stops once it has its rows, where it read and sorted every
-- client the reader may see.
CREATE INDEX "clients_last_contact_order" ON "clients" ((coalesce("last_contact_at", DATE '0001-01-01')), "id");
