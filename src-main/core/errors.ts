import type { ErrorCode } from '../ipc/contract'

/**
 * A failure the admin can act on. Services throw it; the handler map turns it into
 * `{ ok: false, error }` so it crosses the IPC boundary as data.
 */
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

/** Prefix every field path with `prefix.` (e.g. `create.2`). */
export function prefixFields(error: DomainError, prefix: string): DomainError {
  const fields = Object.fromEntries(
    Object.entries(error.fields ?? { '': error.message }).map(([path, message]) => [path ? `${prefix}.${path}` : prefix, message])
  )
  return new DomainError(error.code, error.message, fields)
}
