import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { basename } from 'node:path'
import { DomainError } from './errors'

export const INVITE_KEY_BYTES = 32

const HEADER = 'rolekeeper-invite-key 1'

/**
 * Optional protection by the operating system's secure storage (Electron's safeStorage in the
 * desktop app); plain Node, the tests and the browser host store the key as it is.
 */
export interface KeyProtection {
  protect(key: Buffer): Buffer
  unprotect(stored: Buffer): Buffer
}

/**
 * The key invite tokens are derived with. It lives in its own file beside the database, never in
 * it, so a copy of the database alone yields no working token. Created once (32 random bytes,
 * mode 0600, written atomically); a damaged key file is refused, never replaced, because a new
 * key would silently kill every pending invite.
 *
 * File format: a header line naming how the key is kept (`plain` or `protected`), then the
 * stored bytes in base64.
 */
export function loadOrCreateInviteKey(file: string, protection?: KeyProtection): Buffer {
  const existing = readKeyFile(file)
  if (existing !== null) return decodeKey(file, existing, protection)
  const key = randomBytes(INVITE_KEY_BYTES)
  const content = protection
    ? `${HEADER} protected\n${protection.protect(key).toString('base64')}\n`
    : `${HEADER} plain\n${key.toString('base64')}\n`
  if (writeNewFile(file, content)) return key
  // Another process created the key at the same moment: use theirs.
  const created = readKeyFile(file)
  if (created === null) throw damaged(file, 'it disappeared while being created')
  return decodeKey(file, created, protection)
}

function readKeyFile(file: string): string | null {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null
    throw new DomainError('database', `The invite key file ${basename(file)} cannot be read (${String(error)}).`)
  }
}

function decodeKey(file: string, content: string, protection?: KeyProtection): Buffer {
  const [header, payload = '', ...rest] = content.split('\n')
  if (rest.some((line) => line.trim() !== '')) throw damaged(file, 'it holds more than a key')
  const mode = header?.startsWith(`${HEADER} `) ? header.slice(HEADER.length + 1).trim() : null
  if (mode !== 'plain' && mode !== 'protected') throw damaged(file, 'it is not a Rolekeeper invite key')
  const stored = payload.trim()
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(stored) || stored.length % 4 !== 0) throw damaged(file, 'its key is not readable')
  let key: Buffer = Buffer.from(stored, 'base64')
  if (mode === 'protected') {
    if (!protection) {
      throw new DomainError(
        'database',
        `The invite key file ${basename(file)} is protected by the operating system's secure storage, which is not available here.`
      )
    }
    try {
      key = protection.unprotect(key)
    } catch (error) {
      throw damaged(file, `the operating system could not unlock it: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  if (key.length < INVITE_KEY_BYTES) throw damaged(file, `its key is ${key.length} bytes, not ${INVITE_KEY_BYTES}`)
  return key
}

function damaged(file: string, why: string): DomainError {
  return new DomainError(
    'database',
    `The invite key file ${basename(file)} is damaged (${why}). Restore it from a backup; pending invites cannot be checked without it. It is never replaced automatically, because a new key would make every pending invite invalid.`
  )
}

/**
 * Write `content` to `file` only if `file` does not exist, atomically: a temporary file is
 * written and synced, then linked into place (which fails if the name is taken). Returns false
 * when another writer got there first.
 */
function writeNewFile(file: string, content: string): boolean {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  const descriptor = openSync(temporary, 'wx', 0o600)
  try {
    writeSync(descriptor, content)
    fsyncSync(descriptor)
  } finally {
    closeSync(descriptor)
  }
  try {
    linkSync(temporary, file)
    return true
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return false
    // Some file systems have no hard links: fall back to a rename.
    renameSync(temporary, file)
    return true
  } finally {
    try {
      unlinkSync(temporary)
    } catch {
      // Already renamed into place.
    }
  }
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code
}
