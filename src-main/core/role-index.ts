import type { Store } from './store'

/**
 * The role-ordered indexes (users_role_name, users_role_email, users_role_invites) file each
 * user under `indexed_role_id`, a copy of `role_id`. Moving a member costs a random page in each
 * of them, about 1 s for a change set of 20,000 members at 1,000,000 users, so a change set
 * writes `role_id` alone and leaves the copy trailing; the partial index users_role_lag holds
 * exactly the users whose copy trails. The copy then catches up in slices (`foldRoleIndex`),
 * in the background, between calls.
 *
 * `role_id` is always the truth: counts, triggers, single users and every row test read it.
 * Only a read that walks a role-ordered index range needs the copy to agree, so it asks
 * `roleIndexTrails` first and, while anything trails, reads the role as a row test instead
 * (user-directory.ts, invites.ts); the few writes and exports that select by role settle the
 * copy first: in slices, handing the event loop back between them (`catchUpRoleIndex`), where
 * they can wait, then at once for whatever trails still (`settleRoleIndex`). Every other write
 * of `role_id` sets the copy with it.
 */

/** The condition of users_role_lag: written exactly so, or the planner will not use the index. */
export const TRAILING = 'users.role_id IS NOT users.indexed_role_id'

/**
 * Users caught up per slice. A slice moves their entries in three indexes and commits: at
 * 1,000,000 users slices of 250 took 27 ms (p99 45), too long for a read waiting behind one,
 * so a slice holds about half that.
 */
export const FOLD_SLICE = 120

/** Whether any user's indexed role trails their role: one look into an index that is empty at rest. */
export function roleIndexTrails(store: Store): boolean {
  return store.prepare(`SELECT 1 FROM users INDEXED BY users_role_lag WHERE ${TRAILING} LIMIT 1`).get() !== undefined
}

/** How many users' indexed roles trail. */
export function trailingCount(store: Store): number {
  return Number(store.prepare(`SELECT count(*) FROM users INDEXED BY users_role_lag WHERE ${TRAILING}`).pluck().get() ?? 0)
}

/**
 * Catch up to `limit` trailing users, in their own transaction (or the caller's); returns how
 * many it caught up, 0 when nothing trails.
 */
export function foldRoleIndex(store: Store, limit: number = FOLD_SLICE): number {
  return store
    .prepare(
      `UPDATE users SET indexed_role_id = role_id
        WHERE rowid IN (SELECT rowid FROM users INDEXED BY users_role_lag WHERE ${TRAILING} LIMIT ?)`
    )
    .run(limit).changes
}

/**
 * Catch up every trailing user a slice at a time, handing the event loop back after each, so
 * calls go on being answered: before an export or a write that selects by role, which can wait.
 * After a change set of 20,000 members at 1,000,000 users, catching up at once held the main
 * thread for 0.7–2 s.
 */
export async function catchUpRoleIndex(store: Store): Promise<void> {
  while (roleIndexTrails(store)) {
    foldRoleIndex(store)
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
}

/** Catch up every trailing user at once: inside a write or export that selects by role. */
export function settleRoleIndex(store: Store): void {
  if (!roleIndexTrails(store)) return
  store.transaction(() => {
    while (foldRoleIndex(store, 10_000) > 0);
  })
}
