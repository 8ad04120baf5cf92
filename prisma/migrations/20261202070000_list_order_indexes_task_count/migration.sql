-- One index per list order (taskOrderBy), each with that order's tie-breakers (issue 15).
CREATE INDEX "task_userId_updatedAt_desc_idx" ON "task"("userId", "updatedAt" DESC, "createdAt" DESC, "id" DESC);
CREATE INDEX "task_userId_updatedAt_asc_idx" ON "task"("userId", "updatedAt", "createdAt" DESC, "id" DESC);
CREATE INDEX "task_userId_priority_desc_idx" ON "task"("userId", "priority" DESC, "createdAt" DESC, "id" DESC);
CREATE INDEX "task_userId_priority_asc_idx" ON "task"("userId", "priority", "createdAt" DESC, "id" DESC);
CREATE INDEX "task_userId_title_desc_idx" ON "task"("userId", "title" DESC, "createdAt" DESC, "id" DESC);
CREATE INDEX "task_userId_title_asc_idx" ON "task"("userId", "title", "createdAt" DESC, "id" DESC);
CREATE INDEX "task_userId_dueDate_desc_idx" ON "task"("userId", "dueDate" DESC, "createdAt" DESC, "id" DESC);
CREATE INDEX "task_userId_dueDate_asc_idx" ON "task"("userId", "dueDate", "createdAt" DESC, "id" DESC);

-- The per-user task quota reads this counter instead of counting the user's tasks on every create.
ALTER TABLE "user" ADD COLUMN "taskCount" INTEGER NOT NULL DEFAULT 0;
UPDATE "user" SET "taskCount" = (SELECT COUNT(*) FROM "task" WHERE "task"."userId" = "user"."id");

-- Triggers keep the counter exact for every write path: the API, Better Auth, cascades from a
-- deleted user, and SQL run by hand. An owner change (never done by the API; ON UPDATE CASCADE
-- of a user id) recounts both owners, which stays exact even while the cascade is half done.
CREATE TRIGGER "task_count_after_insert" AFTER INSERT ON "task"
BEGIN
  UPDATE "user" SET "taskCount" = "taskCount" + 1 WHERE "id" = NEW."userId";
END;

CREATE TRIGGER "task_count_after_delete" AFTER DELETE ON "task"
BEGIN
  UPDATE "user" SET "taskCount" = "taskCount" - 1 WHERE "id" = OLD."userId";
END;

CREATE TRIGGER "task_count_after_owner_change" AFTER UPDATE OF "userId" ON "task" WHEN OLD."userId" IS NOT NEW."userId"
BEGIN
  UPDATE "user" SET "taskCount" = (SELECT COUNT(*) FROM "task" WHERE "task"."userId" = "user"."id") WHERE "id" IN (OLD."userId", NEW."userId");
END;
