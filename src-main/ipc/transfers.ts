/**
 * The calls that reach files through the `FilePort`: invite lists out (export) and in (import),
 * the database backup and switching to another database file. Each takes the dialog's answer,
 * runs the core service on the current store and says where the result went; a dismissed
 * dialog answers `cancelled`, like a cancelled export.
 */
import { resolve } from 'node:path'
import { backupToFile } from '../core/backup'
import { openDatabaseFile } from '../core/db/open'
import { DomainError } from '../core/errors'
import { exportToFile } from '../core/export'
import { applyImport, applyImportYielding, previewImport } from '../core/import'
import type { Store } from '../core/store'
import type { ExportOptions } from '../core/inputs'
import { IMPORT_MAX_BYTES, type HostDownload } from '../core/model'
import type { CallName, CallOutput, ParsedInput } from './contract'
import type { Operations } from './operations'
import type { FilePort, SaveTarget } from './ports'

type TransferCall = 'exportInvites' | 'previewImport' | 'applyImport' | 'backupDatabase' | 'openDatabase'

export type TransferImplementation = {
  [K in TransferCall]: (store: Store, input: ParsedInput<K>) => Promise<CallOutput<K>>
}

/** What the transfer calls share with the rest of the handler map. */
export interface TransferSession {
  /** Undefined where no files can be reached (most tests). */
  files: FilePort | undefined
  /** Make `store` the one every call uses from now on. */
  replaceStore(store: Store): void
  /** Running exports, imports and invites, which `cancelOperation` stops. */
  operations: Operations
  /**
   * Run `operationId` with its progress going to the port; its end is reported to the port
   * however it ends.
   */
  track<T>(operationId: string, field: string, run: (control: OperationControl) => Promise<T>): Promise<T>
}

export interface OperationControl {
  signal: AbortSignal
  onProgress(done: number, total: number): void
}

/** Satisfies `CallName`, so a renamed call breaks here too. */
const _transferCallsAreCalls: TransferCall extends CallName ? true : never = true

export function transferHandlers(session: TransferSession): TransferImplementation {
  const port = (): FilePort => {
    if (!session.files) throw new DomainError('internal', 'Files cannot be saved or opened here.')
    return session.files
  }

  return {
    async exportInvites(store, input) {
      const files = port()
      const options: ExportOptions = { scope: input.scope, format: input.format, bom: input.bom }
      const suggestedName = exportFileName(store, options)
      return session.track(input.exportId, 'exportId', async (control) => {
        const target = await files.chooseExportTarget(suggestedName, input.format)
        if (!target || control.signal.aborted) throw cancelled('The export was cancelled; no file was written')
        const result = await exportToFile(store, options, target.path, control)
        return { saved: true, rows: result.rows, ...savedAs(target) }
      })
    },

    async previewImport(store, input) {
      const options = { existing: input.existing, newUsersAs: input.newUsersAs }
      if (input.file && 'text' in input.file) {
        return { chosen: true, fileId: null, fileName: null, preview: previewImport(store, input.file.text, options) }
      }
      const files = port()
      let fileId = input.file?.fileId
      if (fileId === undefined) {
        const chosen = await files.chooseImportFile()
        if (!chosen) throw cancelled('No file was chosen')
        fileId = chosen.fileId
      }
      const file = await readImportFile(files, fileId)
      return { chosen: true, fileId, fileName: file.name, preview: previewImport(store, file.content, options) }
    },

    async applyImport(store, input) {
      const options = { existing: input.existing, newUsersAs: input.newUsersAs }
      const file = input.file
      const read = async (): Promise<string | Buffer> => ('text' in file ? file.text : (await readImportFile(port(), file.fileId)).content)
      if (input.operationId === undefined) return applyImport(store, await read(), options)
      return session.track(input.operationId, 'operationId', async (control) => applyImportYielding(store, await read(), options, control))
    },

    async backupDatabase(store, input) {
      const files = port()
      const target = await files.chooseBackupTarget(`rolekeeper-backup-${dateOf(store)}.db`)
      if (!target) throw cancelled('No backup was saved')
      if (input.operationId === undefined) await backupToFile(store, target.path)
      else await session.track(input.operationId, 'operationId', (control) => backupToFile(store, target.path, control))
      return { saved: true, ...savedAs(target) }
    },

    async openDatabase(store) {
      const files = port()
      const file = await files.chooseDatabaseFile()
      if (!file) throw cancelled('No database was opened')
      if (resolve(file) === resolve(store.file)) return { opened: true, databasePath: store.file }
      await checkDatabase(file)
      // A running export reads the store being closed: stop it (its temporary file is removed).
      session.operations.cancelAll()
      const next = await files.switchDatabase(file)
      session.replaceStore(next)
      return { opened: true, databasePath: next.file }
    }
  }
}

const cancelled = (message: string): DomainError => new DomainError('cancelled', message)

/** Desktop: the full path; browser host: the download's file name and where to fetch it. */
function savedAs(target: SaveTarget): { path: string; download?: HostDownload } {
  return target.download ? { path: target.download.fileName, download: { ...target.download } } : { path: target.path }
}

async function readImportFile(files: FilePort, fileId: string): Promise<{ name: string; content: Buffer }> {
  const file = await files.readImportFile(fileId)
  if (file.content.length > IMPORT_MAX_BYTES) {
    throw new DomainError('limit_exceeded', `The file is larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MB`)
  }
  return file
}

/** Opened once, refused if damaged, newer or foreign (migrated, after a backup, if older), closed. */
async function checkDatabase(file: string): Promise<void> {
  let opened
  try {
    opened = await openDatabaseFile(file, { mustExist: true })
  } catch (error) {
    if (error instanceof DomainError) throw error
    const reason = error instanceof Error ? error.message : String(error)
    throw new DomainError('database', `${file} cannot be opened as a database (${reason}). Open another file.`)
  }
  opened.sqlite.close()
}

function dateOf(store: Store): string {
  return store.now().toISOString().slice(0, 10)
}

/** e.g. `rolekeeper-invites-editors-2025-01-31.csv`, `rolekeeper-users-2025-01-31.json`. */
export function exportFileName(store: Store, options: ExportOptions): string {
  const { scope } = options
  let subject: string
  if (scope.kind === 'roleInvites') subject = `invites-${slug(roleName(store, scope.roleId))}`
  else if (scope.kind === 'allInvites') subject = 'invites'
  else subject = 'users'
  return `rolekeeper-${subject}-${dateOf(store)}.${options.format}`
}

function roleName(store: Store, roleId: string | null): string {
  if (roleId === null) return 'public'
  const role = store.get(store.db.selectFrom('roles').select('name').where('id', '=', roleId))
  if (!role) throw new DomainError('not_found', 'This role no longer exists', { 'scope.roleId': 'No such role' })
  return role.name
}

/** Letters and digits of any script, lower-cased; everything else becomes single dashes. */
function slug(name: string): string {
  const text = name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '')
  return text || 'role'
}
