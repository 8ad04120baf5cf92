import type { Database } from '../db/client.js';

/**
 * Deletes every unused reset link of the user (Better Auth's `reset-password:<token>` rows, whose
 * value is the user id). A link must stop working once the password has changed another way: by
 * another link (Better Auth consumes only the one used), change-password (the remedy for a user
 * who suspects someone else holds a link) or the admin CLI. A query, not yet run: await it or put
 * it in a transaction.
 */
export function cancelResetLinks(db: Database, userId: string) {
  return db.verification.deleteMany({ where: { value: userId, identifier: { startsWith: 'reset-password:' } } });
}
