-- A branch's phone reaches that branch only: no two branches, of one company or of two, share
-- it. Before, a second branch:create --phone took the number silently, and calls to it matched
-- two branches and were refused. Where two branches already share a number, the branch that
-- had it first keeps it and the later ones are left without a phone (their calls were refused
-- already); `askpro branch:list` shows them. Mirrors migrations/postgres/0012_one_branch_per_phone.sql.

UPDATE branches SET phone = NULL
WHERE phone IS NOT NULL
  AND EXISTS (SELECT 1 FROM branches AS earlier WHERE earlier.phone = branches.phone AND earlier.id < branches.id);

DROP INDEX branches_phone;
CREATE UNIQUE INDEX branches_phone ON branches (phone) WHERE phone IS NOT NULL;
