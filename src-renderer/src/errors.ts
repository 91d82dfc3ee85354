import type { ApiError, ErrorCode } from '../../src-main/ipc/contract'

const WORDS: Record<ErrorCode, string> = {
  validation: 'Some fields need attention.',
  not_found: 'That record no longer exists. It may have been deleted.',
  conflict: 'That name or email address is already taken.',
  last_admin: 'This would leave no active administrator. Keep at least one active user in a role with admin access.',
  password_policy: 'The password does not satisfy the password policy.',
  invite_invalid: 'This invite is no longer valid.',
  limit_exceeded: 'That is more than Rolekeeper accepts at once.',
  database: 'The database file cannot be used.',
  cancelled: 'Cancelled.',
  internal: 'Something went wrong. Nothing was changed.'
}

/** The one place error codes become words. The main process's message is preferred when it is specific. */
export function describeError(error: ApiError): string {
  if (error.code === 'internal' || error.code === 'invite_invalid') return WORDS[error.code]
  // With field paths the details belong beside each field; the summary stays in words.
  if (error.code === 'validation' && error.fields && Object.keys(error.fields).length > 0) return WORDS.validation
  const message = error.message.trim()
  return message.length > 0 ? message : WORDS[error.code]
}

/** The message for one field path (`role.name`, `create.2.email`), if the error names it. */
export function fieldError(error: ApiError | null | undefined, path: string): string | undefined {
  return error?.fields?.[path]
}

/** Field errors under a prefix, re-keyed without it: `create.2.email` under `create.2` → `email`. */
export function fieldErrorsUnder(error: ApiError | null | undefined, prefix: string): Record<string, string> {
  const found: Record<string, string> = {}
  if (!error?.fields) return found
  const head = `${prefix}.`
  for (const [path, message] of Object.entries(error.fields)) {
    if (path === prefix) found[''] = message
    else if (path.startsWith(head)) found[path.slice(head.length)] = message
  }
  return found
}
