/**
 * Failures as data. Services throw `DomainError`; the handler map turns it into
 * `{ ok: false, error }`, so it crosses the IPC boundary as data (Electron's `invoke` would keep
 * only an exception's message). The codes are a closed set, which the renderer maps to words in
 * one place. Free of Node, so the renderer can import the codes.
 */

export const ERROR_CODES = [
  /** The input does not match the schema or a field rule; `fields` says which. */
  'validation',
  /** A record named in the input does not exist. */
  'not_found',
  /** A uniqueness rule: an email or role name already taken (also inside one batch). */
  'conflict',
  /** The operation would leave no active administrator. */
  'last_admin',
  /** A password does not satisfy the password policy. */
  'password_policy',
  /** Accepting an invite failed; deliberately says nothing more. */
  'invite_invalid',
  /** An explicit limit (entries in a paste, rows in a batch, string sizes) was exceeded. */
  'limit_exceeded',
  /** The database file cannot be used (damaged, newer version, not a Rolekeeper database). */
  'database',
  /** The operation was cancelled by the user. */
  'cancelled',
  /** Anything unexpected; details are logged in the main process, never sent. */
  'internal'
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export interface ApiError {
  code: ErrorCode
  message: string
  /** Field paths (`email`, `create.2.email`, `role.ipAccess.1`) to what is wrong with each. */
  fields?: Record<string, string>
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError }

/** A failure the admin can act on. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>
  ) {
    super(message)
    this.name = 'DomainError'
  }
}

export const notFound = (what: string, id: string): DomainError =>
  new DomainError('not_found', `${what} ${id} does not exist`, { id: `${what} not found` })

/** `prefix.field`, or `field` alone at the top level. */
export const fieldPath = (prefix: string, field: string): string => (prefix ? `${prefix}.${field}` : field)

export interface FieldProblem {
  code: 'validation' | 'conflict' | 'password_policy' | 'not_found'
  path: string
  message: string
  /** The batch entry it belongs to, if any. */
  index?: number
}

/** Every problem of a batch, collected so the admin sees them all at once, and thrown as one error. */
export class FieldProblems {
  readonly list: FieldProblem[] = []
  add(code: FieldProblem['code'], path: string, message: string, index?: number): void {
    this.list.push({ code, path, message, ...(index !== undefined && { index }) })
  }
  throwIfAny(sentence: (first: FieldProblem) => string): void {
    const [first] = this.list
    if (!first) return
    const more = this.list.length - 1
    const fields: Record<string, string> = {}
    for (const problem of this.list) fields[problem.path] ??= problem.message
    throw new DomainError(
      first.code,
      more > 0 ? `${sentence(first)} (and ${more} more problem${more === 1 ? '' : 's'})` : sentence(first),
      fields
    )
  }
}
