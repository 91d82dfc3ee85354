import { DomainError } from './errors'
import type { Store } from './store'

/**
 * The last-active-administrator rule (PRODUCT §1, rule 1): no single operation may leave zero
 * users who are `active` in a role with admin access, if there was at least one before.
 *
 * Callers count before their writes and check after them, inside the same transaction:
 *
 *     const admins = countActiveAdmins(store)
 *     …writes…
 *     ensureAdminRemains(store, admins, () => ({ 'patch.status': 'This is the last active administrator' }))
 *
 * Both read `user_counts` (kept by triggers) joined with the roles, so the check costs
 * O(roles), not a scan of the users.
 */
export function countActiveAdmins(store: Store): number {
  const row = store
    .prepare<{ n: number }>(
      `SELECT coalesce(sum(user_counts.n), 0) AS n
         FROM user_counts JOIN roles ON roles.id = user_counts.role_key
        WHERE user_counts.status = 'active' AND roles.admin_access = 1`
    )
    .get()
  return row?.n ?? 0
}

export const LAST_ADMIN_MESSAGE = 'This would leave no active administrator: at least one user must stay active in a role with admin access'

/**
 * Throw `last_admin` when there were active administrators before the operation and none now.
 * `cause` names what in the input removed the last one; it is only computed on failure.
 * Throwing inside `store.transaction` rolls the whole operation back.
 */
export function ensureAdminRemains(store: Store, adminsBefore: number, cause: () => Record<string, string>): void {
  if (adminsBefore === 0) return
  if (countActiveAdmins(store) > 0) return
  const fields = cause()
  throw new DomainError('last_admin', LAST_ADMIN_MESSAGE, Object.keys(fields).length > 0 ? fields : undefined)
}

/** Run `write` with the guard around it: for operations with a single cause. */
export function guardLastAdmin<T>(store: Store, write: () => T, cause: () => Record<string, string>): T {
  const before = countActiveAdmins(store)
  const result = write()
  ensureAdminRemains(store, before, cause)
  return result
}
