import type { ApiError, Result } from '../../src-main/ipc/contract'

/** The value of a call that must succeed; a failure throws with its code and message. */
export function valueOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`Expected success, got ${result.error.code}: ${result.error.message}`)
  return result.value
}

/** The error of a call that must fail. */
export function errorOf<T>(result: Result<T>): ApiError {
  if (result.ok) throw new Error('Expected a failure, got success')
  return result.error
}
