/**
 * The main-side handler map: one function per contract call that validates its input with the
 * call's schema, runs the core service of the same name and returns a `Result`. It never throws,
 * so nothing a renderer sends can crash the main process. Electron's IPC, the browser host, the
 * tests and the benchmark all go through this map. Calls pass through one queue: an import or
 * invite with an `operationId` runs alone (see operations.ts); `cancelOperation` never waits.
 */
import type { z } from 'zod'
import { listActivity } from '../core/activity'
import { saveRoleChanges } from '../core/changeset'
import { isReadOnlyError, readOnlyMessage } from '../core/db/open'
import { DomainError, type ApiError, type Result } from '../core/errors'
import { LIMITS, type AppInfo, type Settings } from '../core/model'
import { clearDirectusTarget, getDirectusTarget, saveDirectusTarget } from '../core/directus-target'
import { previewExport } from '../core/export'
import {
  acceptInvite,
  getInviteLink,
  getInviteVerification,
  inviteUsers,
  inviteUsersYielding,
  listInvites,
  resendInvite,
  revokeInvite
} from '../core/invites'
import { previewInvites } from '../core/paste'
import { catchUpRoleIndex } from '../core/role-index'
import { createRole, deleteRole, getRole, listRoles, updateRole } from '../core/roles'
import { checkPassword, getSettings, updateSettings } from '../core/settings'
import type { Store } from '../core/store'
import { countUsers, getUser, listUsers } from '../core/user-directory'
import { bulkUpdateUsers, createUser, deleteUsers, updateUser } from '../core/users'
import { CALL_NAMES, contract, type CallName, type CallOutput, type ParsedInput } from './contract'
import { memoryReturn } from './memory'
import { roleIndexFolding } from './role-index-folding'
import { createCallQueue, Operations } from './operations'
import type { FilePort, WorkNotice } from './ports'
import { transferHandlers, type OperationControl } from './transfers'

export type HandlerMap = { [K in CallName]: (input: unknown) => Promise<Result<CallOutput<K>>> }

type Implementation = {
  [K in CallName]: (store: Store, input: ParsedInput<K>) => CallOutput<K> | Promise<CallOutput<K>>
}

export interface HandlerContext {
  /** The store the calls start on; `openDatabase` replaces it with the one the port opens. */
  store: Store
  appInfo: AppInfo
  /** Dialogs, files and the window; without it the calls that need files say so. */
  files?: FilePort
  /** The settings changed, or another database (with its own) is in use: the desktop follows the theme. */
  settingsChanged?(settings: Settings): void
}

export const INTERNAL_MESSAGE = 'Something went wrong. The details were written to the log.'

export function createHandlerMap(context: HandlerContext): HandlerMap {
  let store = context.store
  let databasePath = context.appInfo.databasePath
  const queue = createCallQueue()
  const operations = new Operations()
  // `store` read when the memory is given back: an `openDatabase` may have replaced it by then.
  const memory = memoryReturn(() => store.releaseMemory())
  // A change set leaves the role index trailing; it catches up between calls.
  const folding = roleIndexFolding(queue, () => store)
  const track = async <T>(operationId: string, field: string, run: (control: OperationControl) => Promise<T>): Promise<T> => {
    const signal = operations.start(operationId, field)
    try {
      return await run({ signal, onProgress: (done, total) => context.files?.progress(operationId, done, total) })
    } finally {
      operations.finish(operationId)
      context.files?.ended(operationId)
    }
  }
  const announce = async <T>(work: Promise<T>, done: (value: T) => WorkNotice, failed: string): Promise<T> => {
    try {
      const value = await work
      context.files?.workEnded?.(done(value))
      return value
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'cancelled')) {
        context.files?.workEnded?.({ title: failed, body: error instanceof DomainError ? error.message : INTERNAL_MESSAGE })
      }
      throw error
    }
  }
  const transfers = transferHandlers({
    files: context.files,
    replaceStore: (next) => {
      store = next
      databasePath = next.file
      context.settingsChanged?.(getSettings(next))
    },
    operations,
    track,
    announce
  })

  const implementation: Implementation = {
    getAppInfo: () => ({ ...context.appInfo, databasePath }),

    listRoles,
    getRole,
    createRole,
    updateRole,
    deleteRole,
    saveRoleChanges,

    listUsers,
    countUsers,
    getUser,
    createUser,
    updateUser,
    bulkUpdateUsers,
    deleteUsers,

    previewInvites,
    inviteUsers: (current, input) => {
      const { operationId } = input
      if (operationId === undefined) return inviteUsers(current, input)
      return announce(
        track(operationId, 'operationId', (control) => inviteUsersYielding(current, input, control)),
        ({ counts }) => ({
          title: 'Invite finished',
          body: `${counts.invited} invited, ${counts.reinvited} re-invited, ${counts.invalid} invalid`
        }),
        'Invite failed'
      )
    },
    resendInvite,
    revokeInvite,
    getInviteLink,
    listInvites,
    acceptInvite,
    getInviteVerification,

    getSettings,
    updateSettings: (current, input) => {
      const settings = updateSettings(current, input)
      context.settingsChanged?.(settings)
      return settings
    },
    checkPassword,
    getDirectusTarget,
    saveDirectusTarget,
    clearDirectusTarget,

    previewExport,
    ...transfers,
    cancelOperation: (_store, input) => ({ cancelled: operations.cancel(input.operationId) }),

    listActivity
  } satisfies Implementation

  const handle = async <K extends CallName>(name: K, input: unknown): Promise<Result<CallOutput<K>>> => {
    memory.callStarted()
    try {
      return await answer(name, input)
    } finally {
      memory.callEnded(BULK_CALLS.has(name))
      folding.afterCall()
    }
  }

  const answer = async <K extends CallName>(name: K, input: unknown): Promise<Result<CallOutput<K>>> => {
    try {
      const parsed = parseInput(name, input)
      if (!parsed.ok) return parsed
      const run: Implementation[K] = implementation[name]
      const call = async (): Promise<CallOutput<K>> => {
        // These find users through the role index, which must not trail: it catches up a slice at
        // a time first, the other calls answered in between, rather than all at once inside them.
        if (SELECT_BY_ROLE.has(name)) await catchUpRoleIndex(store)
        return run(store, parsed.value)
      }
      if (name === 'cancelOperation') return { ok: true, value: await call() }
      // While a long import or invite holds its transaction open, a read need not wait for it:
      // it reads the last committed state through the snapshot connection.
      const snapshot = queue.held() && READS_BESIDE_LONG_WORK.has(name) ? store.snapshot() : null
      if (snapshot) return { ok: true, value: await run(snapshot, parsed.value) }
      const lane = runsAlone(name, parsed.value) ? queue.exclusive : queue.shared
      // `store` is read once the call's turn has come: an `openDatabase` before it may have replaced it.
      return { ok: true, value: await lane(call) }
    } catch (error) {
      return { ok: false, error: toApiError(name, error, store.file) }
    }
  }

  const entries = CALL_NAMES.map((name) => [name, (input: unknown) => handle(name, input)] as const)
  // Built from CALL_NAMES, which the compiler checks to be exactly the contract's calls.
  return Object.fromEntries(entries) as HandlerMap
}

/**
 * Calls that only read the database (no token signing, whose cache is written, no settings
 * defaults written): while a long operation runs, they answer from the snapshot connection.
 */
const READS_BESIDE_LONG_WORK: ReadonlySet<CallName> = new Set<CallName>([
  'listRoles',
  'getRole',
  'listUsers',
  'countUsers',
  'getUser',
  'previewInvites',
  'getSettings',
  'checkPassword',
  'listActivity'
])

/** Writes that may select users by role (role-index.ts); exports catch the index up themselves. */
const SELECT_BY_ROLE: ReadonlySet<CallName> = new Set<CallName>(['deleteRole', 'bulkUpdateUsers', 'deleteUsers'])

/**
 * Calls whose work grows with the rows they handle (tens or hundreds of thousands): once they
 * are over and the calls are quiet, the memory they used is given back (memory.ts).
 */
const BULK_CALLS: ReadonlySet<CallName> = new Set<CallName>([
  'previewImport',
  'applyImport',
  'previewInvites',
  'inviteUsers',
  'exportInvites',
  'backupDatabase',
  'openDatabase',
  'bulkUpdateUsers',
  'deleteUsers',
  'saveRoleChanges'
])

/** The long operations: they keep a transaction open across turns of the event loop. */
function runsAlone(name: CallName, input: unknown): boolean {
  if (name !== 'applyImport' && name !== 'inviteUsers') return false
  return typeof input === 'object' && input !== null && Reflect.get(input, 'operationId') !== undefined
}

// ---------------------------------------------------------------------------------------------
// Input

/** The contract seen per call: checked once here, so a generic call name keeps its input type. */
const inputSchemas: { [K in CallName]: { input: z.ZodType<ParsedInput<K>, unknown> } } = contract

type Parsed<T> = { ok: true; value: T } | { ok: false; error: ApiError }

function parseInput<K extends CallName>(name: K, input: unknown): Parsed<ParsedInput<K>> {
  const data = input ?? {}
  const problems = plainDataProblems(data)
  if (problems) return { ok: false, error: validationError(problems) }
  const schema = inputSchemas[name].input
  const result = schema.safeParse(data)
  if (result.success) return { ok: true, value: result.data }
  return { ok: false, error: validationError(issueFields(result.error.issues)) }
}

/** Deeper than any call's input ever is; stops cyclic or absurdly nested payloads early. */
const MAX_DEPTH = 16
/** Above the largest legitimate input (a bulk change naming LIMITS.bulkIds users). */
const MAX_VALUES = LIMITS.bulkIds + 1000
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/**
 * The contract speaks JSON: refuse anything else (Maps, Dates, typed arrays, class instances,
 * BigInts, non-finite numbers, sparse arrays, prototype-pollution keys) before a schema sees it,
 * so no input can look like an object with other things hiding behind it.
 */
function plainDataProblems(root: unknown): Record<string, string> | null {
  // A Map, because a field path can itself be `__proto__`.
  const problems = new Map<string, string>()
  let seen = 0
  const visit = (value: unknown, path: readonly (string | number)[]): void => {
    if (problems.size > 0) return
    const at = path.join('.')
    if (++seen > MAX_VALUES) {
      problems.set(at, 'The input is too large')
      return
    }
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) problems.set(at, 'Not a finite number')
      return
    }
    if (typeof value !== 'object') {
      problems.set(at, `A ${typeof value} is not allowed here`)
      return
    }
    if (path.length >= MAX_DEPTH) {
      problems.set(at, 'The input is nested too deeply')
      return
    }
    if (Array.isArray(value)) {
      if (Object.getPrototypeOf(value) !== Array.prototype) {
        problems.set(at, 'Not a plain list')
        return
      }
      for (let index = 0; index < value.length; index++) {
        if (!Object.hasOwn(value, index)) {
          problems.set(path.concat(index).join('.'), 'A list cannot have holes')
          return
        }
        visit(value[index], path.concat(index))
      }
      return
    }
    const prototype: unknown = Object.getPrototypeOf(value)
    if (prototype !== Object.prototype && prototype !== null) {
      problems.set(at, 'Not plain data')
      return
    }
    if (Object.getOwnPropertySymbols(value).length > 0) {
      problems.set(at, 'Not plain data')
      return
    }
    for (const key of Object.getOwnPropertyNames(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key)
      if (FORBIDDEN_KEYS.has(key)) {
        problems.set(path.concat(key).join('.'), 'This field name is not allowed')
        return
      }
      if (!descriptor || !('value' in descriptor) || !descriptor.enumerable) {
        problems.set(path.concat(key).join('.'), 'Not plain data')
        return
      }
      visit(descriptor.value, path.concat(key))
    }
  }
  visit(root, [])
  return problems.size > 0 ? Object.fromEntries(problems) : null
}

function issueFields(issues: readonly z.core.$ZodIssue[]): Record<string, string> {
  // A Map, because an unknown field can be called `__proto__` or `toString`.
  const fields = new Map<string, string>()
  const add = (path: readonly PropertyKey[], message: string): void => {
    const key = path.map(String).join('.')
    if (!fields.has(key)) fields.set(key, message)
  }
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add([...issue.path, key], 'Unknown field')
    } else {
      add(issue.path, issue.message)
    }
  }
  return Object.fromEntries(fields)
}

function validationError(fields: Record<string, string>): ApiError {
  const [path, message] = Object.entries(fields)[0] ?? ['', 'Invalid input']
  return {
    code: 'validation',
    message: path ? `${path}: ${message}` : message,
    fields
  }
}

// ---------------------------------------------------------------------------------------------
// Failures

/** better-sqlite3's SqliteError carries SQLite's extended result code as `code`. */
function sqliteCode(error: unknown): string | null {
  if (!(error instanceof Error) || error.name !== 'SqliteError') return null
  const code: unknown = Reflect.get(error, 'code')
  return typeof code === 'string' ? code : null
}

/** Which input field a unique index guards, so a conflict still points at something. */
const UNIQUE_FIELDS: Record<string, { field: string; message: string }> = {
  'users.email_key': { field: 'email', message: 'A user with this email address already exists' },
  'roles.name_key': { field: 'name', message: 'A role with this name already exists' }
}

function toApiError(name: CallName, error: unknown, databaseFile: string): ApiError {
  if (error instanceof DomainError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.fields ? { fields: { ...error.fields } } : {})
    }
  }
  const code = sqliteCode(error)
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const index = error instanceof Error ? /constraint failed: ([\w.]+)/.exec(error.message)?.[1] : undefined
    const known = index && Object.hasOwn(UNIQUE_FIELDS, index) ? UNIQUE_FIELDS[index] : undefined
    return known
      ? { code: 'conflict', message: known.message, fields: { [known.field]: known.message } }
      : { code: 'conflict', message: 'This record already exists.' }
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    console.error(`[rolekeeper] ${name}:`, error)
    return { code: 'conflict', message: 'This refers to a record that no longer exists, or one that is still in use.' }
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return { code: 'database', message: 'The database is busy in another window or program. Try again in a moment.' }
  }
  if (code === 'SQLITE_FULL') {
    return { code: 'database', message: 'The disk is full: the change was not saved.' }
  }
  if (code === 'SQLITE_READONLY_DBMOVED') {
    return {
      code: 'database',
      message:
        'The database file was moved or deleted while Rolekeeper had it open, so the change was not saved. Open it again where it is now (Settings → Open database).'
    }
  }
  if (isReadOnlyError(error)) return { code: 'database', message: readOnlyMessage(databaseFile, 'file', true) }
  if (code === 'SQLITE_CORRUPT' || code?.startsWith('SQLITE_IOERR')) {
    console.error(`[rolekeeper] ${name}:`, error)
    return { code: 'database', message: 'The database file cannot be read or written. Restore a backup or open another file.' }
  }
  console.error(`[rolekeeper] ${name} failed:`, error)
  return { code: 'internal', message: INTERNAL_MESSAGE }
}
