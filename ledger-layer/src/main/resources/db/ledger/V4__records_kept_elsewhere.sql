-- An entry may name a record kept at another deployment of the network by its absolute URL
-- (ARCHITECTURE.md "Federation": blocks that another institution appends to a chain kept here).
ALTER TABLE ledger_entry ALTER COLUMN resource_id SET DATA TYPE VARCHAR(1024);
