-- One index per list order (taskOrderBy), each with that order's tie-breakers (issue 15).
CREATE INDEX "task_userId_updatedAt_desc_idx" ON "task"("userId", "updatedAt" DESC, "createdAt" DESC, "id" DESC);
CREATE INDEX "task_userId_updatedAt_asc_idx" ON "task"("userId", "updatedAt", "createdAt" DESC, "id" DESC);
CREATE INDEX "task_userId_priority_desc_idx" ON "task"("userId", "priority" DESC, "createdAt" DESC, "id" DESC);
CREATE INDEX "task_userId_priority_asc_idx" ON "task"("userId", "priority", "createdAt" DESC, "id" DESC);
CREATE INDEX "task_userId_title_desc_idx" ON "task"("userId", "title" DESC, "createdAt" DESC, "id" DESC);
CREATE INDEX "task_userId_title_asc_idx" ON "task"("userId", "title", "createdAt" DESC, "id" DESC);
-- NULLS LAST as the list orders it (PostgreSQL's default for DESC is NULLS FIRST); Prisma's
-- schema cannot say so, and its diff ignores the null ordering.
CREATE INDEX "task_userId_dueDate_desc_idx" ON "task"("userId", "dueDate" DESC NULLS LAST, "createdAt" DESC, "id" DESC);
CREATE INDEX "task_userId_dueDate_asc_idx" ON "task"("userId", "dueDate", "createdAt" DESC, "id" DESC);

-- The per-user task quota reads this counter instead of counting the user's tasks on every create.
ALTER TABLE "user" ADD COLUMN "taskCount" INTEGER NOT NULL DEFAULT 0;
UPDATE "user" SET "taskCount" = (SELECT COUNT(*) FROM "task" WHERE "task"."userId" = "user"."id");

-- Triggers keep the counter exact for every write path: the API, Better Auth, cascades from a
-- deleted user, and SQL run by hand. An owner change (never done by the API; ON UPDATE CASCADE
-- of a user id) recounts both owners. Row-level AFTER triggers run at the end of each statement,
-- inside its transaction: the counter row stays locked until commit, which is what makes the
-- quota check in createTask exact under concurrency.
CREATE FUNCTION "task_count_maintain"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE "user" SET "taskCount" = "taskCount" + 1 WHERE "id" = NEW."userId";
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE "user" SET "taskCount" = "taskCount" - 1 WHERE "id" = OLD."userId";
  ELSIF OLD."userId" IS DISTINCT FROM NEW."userId" THEN
    UPDATE "user" SET "taskCount" = (SELECT COUNT(*) FROM "task" WHERE "task"."userId" = "user"."id") WHERE "id" IN (OLD."userId", NEW."userId");
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "task_count_after_write" AFTER INSERT OR DELETE OR UPDATE OF "userId" ON "task"
FOR EACH ROW EXECUTE FUNCTION "task_count_maintain"();
