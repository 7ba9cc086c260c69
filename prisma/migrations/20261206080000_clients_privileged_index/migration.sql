-- The privileged clients, by id (a partial index, as clients_confidential is for the restricted ones): the
-- communications rule asks per row whether the communication's client is privileged, index-only, instead of reading
-- the classification from the client's row.
CREATE INDEX "clients_privileged" ON "clients" ("id") WHERE "data_classification" = 'privileged';
