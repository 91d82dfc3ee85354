import { DomainError } from '../../src-main/core/errors'
import type { Store } from '../../src-main/core/store'

/** The DomainError an operation fails with; any other outcome fails the test. */
export function failure(run: () => unknown): DomainError {
  try {
    run()
  } catch (error) {
    if (error instanceof DomainError) return error
    throw error
  }
  throw new Error('expected the operation to fail with a DomainError')
}

/** Everything an operation could have touched, to prove a failed one left no trace. */
export function snapshot(store: Store): unknown {
  return {
    users: store.sqlite.prepare('SELECT * FROM users ORDER BY id').all(),
    roles: store.sqlite.prepare('SELECT * FROM roles ORDER BY id').all(),
    counts: store.sqlite.prepare('SELECT * FROM user_counts WHERE n > 0 ORDER BY role_key, status').all(),
    activity: store.sqlite.prepare('SELECT count(*) AS n FROM activity').get()
  }
}

/** The DomainError an async operation fails with; any other outcome fails the test. */
export async function rejection(run: () => Promise<unknown>): Promise<DomainError> {
  try {
    await run()
  } catch (error) {
    if (error instanceof DomainError) return error
    throw error
  }
  throw new Error('expected the operation to fail with a DomainError')
}
