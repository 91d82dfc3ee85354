import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs'
import { basename } from 'node:path'
import { DomainError } from './errors'
import { writeFileAtomic } from './files'

/**
 * Secrets kept in small files beside the database, never in it, so a copy of the database alone
 * yields nothing that works: the invite signing key, the earlier HMAC invite key, the Directus
 * SECRET. Each file is a header line naming what it holds and how it is kept (`plain`, or
 * `protected` by the operating system's secure storage), then the stored bytes in base64; mode
 * 0600, written atomically. A damaged file is refused, never replaced: for a key, a new one would
 * silently kill every pending invite.
 */

/**
 * Optional protection by the operating system's secure storage (Electron's safeStorage in the
 * desktop app); plain Node, the tests and the browser host store the bytes as they are.
 */
export interface KeyProtection {
  protect(key: Buffer): Buffer
  unprotect(stored: Buffer): Buffer
}

/** What one kind of file holds. */
export interface KeyFileKind {
  /** The header's first words, with the format's version: `rolekeeper-invite-key 1`. */
  header: string
  /** In messages: `invite key`. */
  label: string
  /** What is lost without it, in the damage message. */
  without: string
  /** Why the unlocked bytes are unusable, or null when they are fine. */
  problem(bytes: Buffer): string | null
}

/** The file's bytes, created by `create` (mode 0600, atomically) when there is no file yet. */
export function loadOrCreateKeyFile(file: string, kind: KeyFileKind, create: () => Buffer, protection?: KeyProtection): Buffer {
  const existing = readText(file, kind)
  if (existing !== null) return decode(file, kind, existing, protection)
  const bytes = create()
  if (writeNewFile(file, encode(kind, bytes, protection))) return bytes
  // Another process created the file at the same moment: use theirs.
  const created = readText(file, kind)
  if (created === null) throw damaged(file, kind, 'it disappeared while being created')
  return decode(file, kind, created, protection)
}

/** The file's bytes, or null when there is no file; a damaged file is refused. */
export function readKeyFile(file: string, kind: KeyFileKind, protection?: KeyProtection): Buffer | null {
  const existing = readText(file, kind)
  return existing === null ? null : decode(file, kind, existing, protection)
}

/** Replace the file's bytes (for a secret the administrator changes), atomically. */
export function writeKeyFile(file: string, kind: KeyFileKind, bytes: Buffer, protection?: KeyProtection): void {
  writeFileAtomic(file, encode(kind, bytes, protection))
}

export function removeKeyFile(file: string): void {
  rmSync(file, { force: true })
}

function encode(kind: KeyFileKind, bytes: Buffer, protection?: KeyProtection): string {
  return protection
    ? `${kind.header} protected\n${protection.protect(bytes).toString('base64')}\n`
    : `${kind.header} plain\n${bytes.toString('base64')}\n`
}

function readText(file: string, kind: KeyFileKind): string | null {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null
    throw new DomainError('database', `The ${kind.label} file ${basename(file)} cannot be read (${String(error)}).`)
  }
}

function decode(file: string, kind: KeyFileKind, content: string, protection?: KeyProtection): Buffer {
  const [header, payload = '', ...rest] = content.split('\n')
  if (rest.some((line) => line.trim() !== '')) throw damaged(file, kind, `it holds more than a ${kind.label}`)
  const mode = header?.startsWith(`${kind.header} `) ? header.slice(kind.header.length + 1).trim() : null
  if (mode !== 'plain' && mode !== 'protected') throw damaged(file, kind, `it is not a Rolekeeper ${kind.label}`)
  const stored = payload.trim()
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(stored) || stored.length % 4 !== 0) throw damaged(file, kind, `its ${kind.label} is not readable`)
  let bytes: Buffer = Buffer.from(stored, 'base64')
  if (mode === 'protected') {
    if (!protection) {
      throw new DomainError(
        'database',
        `The ${kind.label} file ${basename(file)} is protected by the operating system's secure storage, which is not available here.`
      )
    }
    try {
      bytes = protection.unprotect(bytes)
    } catch (error) {
      throw damaged(file, kind, `the operating system could not unlock it: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  const problem = kind.problem(bytes)
  if (problem !== null) throw damaged(file, kind, problem)
  return bytes
}

function damaged(file: string, kind: KeyFileKind, why: string): DomainError {
  return new DomainError(
    'database',
    `The ${kind.label} file ${basename(file)} is damaged (${why}). Restore it from a backup; ${kind.without}. It is never replaced automatically.`
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
