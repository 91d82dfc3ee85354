/**
 * The app's log: a few small files in the logs folder, the newest `rolekeeper.log`, older ones
 * `rolekeeper.1.log`, `rolekeeper.2.log`. Every line passes through `redact` first, so no invite
 * token (a JWT or an earlier one) or link, password, password hash, key or secret (the Directus
 * SECRET included, whatever it looks like) reaches the disk, whatever a caller logs.
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { formatWithOptions } from 'node:util'

export const LOG_FILE_BYTES = 1024 * 1024
export const LOG_FILES = 3

export type LogLevel = 'error' | 'warn' | 'info'

export interface Log {
  readonly folder: string
  /** The file being written now. */
  readonly file: string
  write(level: LogLevel, ...values: unknown[]): void
}

export interface LogOptions {
  folder: string
  /** Size past which the current file is rotated out. */
  maxBytes?: number
  /** Files kept, the current one included. */
  files?: number
  now?: () => Date
  /** Secrets known by value that no pattern would recognise (the Directus SECRET). */
  secrets?: () => readonly string[]
}

const REDACTED = '[redacted]'

/** Field names whose values are secret, in JSON (`"password":"…"`) or inspected (`password: '…'`) form. */
const SECRET_FIELDS = [
  'password',
  'newPassword',
  'currentPassword',
  'password_hash',
  'passwordHash',
  'hash',
  'token',
  'inviteToken',
  'secret',
  'inviteKey',
  'invite_key',
  'privateKey',
  'private_key',
  'signingKey',
  'SECRET',
  'directusSecret',
  'key',
  'link',
  'inviteLink',
  'invite_link',
  'inviteUrl',
  'invite_nonce',
  'inviteNonce',
  'nonce'
].join('|')

const RULES: ReadonlyArray<readonly [RegExp, (match: string, ...groups: string[]) => string]> = [
  // A JWT (an invite token): three base64url segments, the first a JSON header (`{"` is `eyJ`).
  // First, so that no later rule leaves its claims (the invitee's address) readable.
  [/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, () => REDACTED],
  // PEM keys, whole.
  [/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g, () => '[redacted key]'],
  // Password hashes: `scrypt$N$r$p$salt$hash`.
  [/scrypt\$[^\s"'`,;)}\]]*/g, () => '[redacted hash]'],
  // Link and query parameters: `?token=…`, `&secret=…`.
  [/\b(token|secret|password|key|nonce)=[^\s&"'#]*/gi, (_match, name = '') => `${name}=${REDACTED}`],
  // `"password": "…"` in JSON.
  [new RegExp(`("(?:${SECRET_FIELDS})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'g'), (_match, field = '') => `${field}"${REDACTED}"`],
  // `password: '…'` as util.inspect prints an object (any of its three quotes).
  [
    new RegExp(`\\b((?:${SECRET_FIELDS})\\s*:\\s*)(?:'(?:[^'\\\\]|\\\\.)*'|"(?:[^"\\\\]|\\\\.)*"|\`(?:[^\`\\\\]|\\\\.)*\`)`, 'g'),
    (_match, field = '') => `${field}'${REDACTED}'`
  ],
  // An invite token or the host's secret on its own: 32 random bytes are 43 base64url characters.
  [/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g, () => REDACTED],
  // A padded base64 blob (a key as stored); file paths, which also hold slashes, never end in `=`.
  [/[A-Za-z0-9+/]{40,}={1,2}/g, () => REDACTED],
  // Any other long random-looking run: tokens glued to other text, unpadded keys.
  [/[A-Za-z0-9_\-+]{32,}/g, (run) => (/[0-9]/.test(run) && /[a-z]/.test(run) && /[A-Z]/.test(run) ? REDACTED : run)]
]

/** The text with every token, link secret, password field, hash and key replaced, and each of `secrets`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let result = text
  for (const secret of secrets) {
    if (secret === '') continue
    // As written, and as it appears inside a URL-encoded link or a JSON string.
    for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
      result = result.replaceAll(form, REDACTED)
    }
  }
  for (const [pattern, replace] of RULES) result = result.replace(pattern, replace)
  return result
}

/** One line per entry: time, level, the values as console.log would print them (errors with their stack). */
export function formatEntry(level: LogLevel, values: readonly unknown[], now: Date, secrets: readonly string[] = []): string {
  const text = formatWithOptions({ depth: 6, breakLength: Infinity, colors: false }, ...values)
  return `${now.toISOString()} ${level.toUpperCase().padEnd(5)} ${redact(text, secrets).replace(/\r?\n/g, '\n    ')}\n`
}

/**
 * A log that appends synchronously (so nothing is lost when the process ends right after) and
 * rotates by renaming, which is atomic: a reader never sees half a file, and a crash mid-rotation
 * leaves at worst one file missing, never one mixed up.
 */
export function createLog(options: LogOptions): Log {
  const maxBytes = options.maxBytes ?? LOG_FILE_BYTES
  const files = Math.max(1, options.files ?? LOG_FILES)
  const now = options.now ?? (() => new Date())
  const nameOf = (index: number): string => join(options.folder, index === 0 ? 'rolekeeper.log' : `rolekeeper.${index}.log`)
  const file = nameOf(0)
  let size: number | null = null

  const rotate = (): void => {
    rmSync(nameOf(files - 1), { force: true })
    for (let index = files - 2; index >= 0; index--) {
      try {
        renameSync(nameOf(index), nameOf(index + 1))
      } catch (error) {
        if (!isMissing(error)) throw error
      }
    }
    size = 0
  }

  return {
    folder: options.folder,
    file,
    write(level, ...values) {
      const line = formatEntry(level, values, now(), options.secrets?.() ?? [])
      const bytes = Buffer.byteLength(line)
      try {
        if (size === null) {
          mkdirSync(options.folder, { recursive: true })
          size = currentSize(file)
        }
        if (size > 0 && size + bytes > maxBytes) rotate()
        appendFileSync(file, line, { mode: 0o600 })
        size = (size ?? 0) + bytes
      } catch {
        // A log that cannot be written must never take the app down with it.
        size = null
      }
    }
  }
}

function currentSize(file: string): number {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && Reflect.get(error, 'code') === 'ENOENT'
}

const CONSOLE_LEVELS = [
  ['error', 'error'],
  ['warn', 'warn'],
  ['info', 'info'],
  ['log', 'info']
] as const satisfies ReadonlyArray<readonly [keyof Console, LogLevel]>

type ConsoleMethod = (typeof CONSOLE_LEVELS)[number][0]

/**
 * Copy what the main process prints (handler failures, refused senders, start-up problems) into
 * the log, still printing it as before. Returns the function that puts the console back.
 */
export function captureConsole(log: Log, target: Pick<Console, ConsoleMethod> = console): () => void {
  const originals = new Map<ConsoleMethod, Console[ConsoleMethod]>()
  for (const [method, level] of CONSOLE_LEVELS) {
    const original = target[method]
    originals.set(method, original)
    target[method] = (...values: unknown[]): void => {
      log.write(level, ...values)
      original.apply(target, values)
    }
  }
  return () => {
    for (const [method, original] of originals) target[method] = original
  }
}
