/**
 * The calls that reach files through the `FilePort`: invite lists out (export) and in (import),
 * the database backup, the verification key (a JWKS), switching to another database file and
 * showing a saved file in its folder. Each takes the dialog's answer, runs the core service on
 * the current store and says where the result went; a dismissed dialog answers `cancelled`,
 * like a cancelled export. A saved file is named to the page by an id, so Show in folder never
 * takes a path from it.
 */
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { backupToFile } from '../core/backup'
import { DomainError } from '../core/errors'
import { exportToFile } from '../core/export'
import { writeFileAtomic } from '../core/files'
import { applyImport, applyImportYielding, previewImportYielding, type ImportInput } from '../core/import'
import { verificationKeyFileText } from '../core/invites'
import type { Store } from '../core/store'
import type { ExportOptions } from '../core/inputs'
import { EXPORT_FORMAT_INFO, IMPORT_MAX_BYTES, type HostDownload, type ImportPreview, type ImportResult } from '../core/model'
import type { CallName, CallOutput, ParsedInput } from './contract'
import type { Operations } from './operations'
import type { FilePort, ImportFileContent, SaveTarget, WorkNotice } from './ports'

type TransferCall =
  'exportInvites' | 'previewImport' | 'applyImport' | 'backupDatabase' | 'exportVerificationKey' | 'openDatabase' | 'showSavedFile'

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
  /** Tell the port how long work ended (the desktop's notification), success or failure alike. */
  announce<T>(work: Promise<T>, done: (value: T) => WorkNotice, failed: string): Promise<T>
}

export interface OperationControl {
  signal: AbortSignal
  onProgress(done: number, total: number): void
}

/** Satisfies `CallName`, so a renamed call breaks here too. */
const _transferCallsAreCalls: TransferCall extends CallName ? true : never = true

/** Saved files Show in folder can still name; older ones are forgotten. */
const SAVED_FILES_KEPT = 50

export function transferHandlers(session: TransferSession): TransferImplementation {
  const port = (): FilePort => {
    if (!session.files) throw new DomainError('internal', 'Files cannot be saved or opened here.')
    return session.files
  }
  /** Files saved in this run by id, so the page can ask to show one without naming a path. */
  const savedFiles = new Map<string, string>()
  const remember = (target: SaveTarget): string | null => {
    // A download (browser host) is in the browser's hands: there is no folder of ours to show.
    if (target.download || !session.files?.showInFolder) return null
    const id = randomUUID()
    savedFiles.set(id, target.path)
    for (const old of [...savedFiles.keys()].slice(0, Math.max(0, savedFiles.size - SAVED_FILES_KEPT))) savedFiles.delete(old)
    return id
  }

  return {
    async exportInvites(store, input) {
      const files = port()
      const { exportId: _exportId, ...options } = input
      const suggestedName = exportFileName(store, options)
      return session.track(input.exportId, 'exportId', async (control) => {
        const target = await files.chooseExportTarget(suggestedName, input.format)
        if (!target || control.signal.aborted) throw cancelled('The export was cancelled; no file was written')
        const result = await session.announce(
          exportToFile(store, options, target.path, control),
          (written) => ({ title: 'Export finished', body: `${rowCount(written.rows)} saved to ${basename(target.path)}` }),
          'Export failed'
        )
        return { saved: true, rows: result.rows, ...savedAs(target), savedFileId: remember(target) }
      })
    },

    async previewImport(store, input) {
      const { file: _file, operationId, ...options } = input
      // Checked in slices with the file read off the main thread: the app goes on answering meanwhile.
      const preview = (read: ImportInput): Promise<ImportPreview> =>
        operationId === undefined
          ? previewImportYielding(store, read, options, {})
          : session.track(operationId, 'operationId', (control) => previewImportYielding(store, read, options, control))
      if (input.file && 'text' in input.file) {
        return { chosen: true, fileId: null, fileName: null, preview: await preview(input.file.text) }
      }
      if (input.file && 'files' in input.file) {
        const sent = input.file.files.map((file) => ({ name: file.name, content: file.text }))
        return { chosen: true, fileId: null, fileName: null, preview: await preview(sent) }
      }
      const files = port()
      let fileId = input.file?.fileId
      if (fileId === undefined) {
        const chosen = await files.chooseImportFile()
        if (!chosen) throw cancelled('No file was chosen')
        fileId = chosen.fileId
      }
      const read = await readImportFiles(files, fileId)
      const fileName = read.map((file) => file.name).join(', ')
      return { chosen: true, fileId, fileName, preview: await preview(read) }
    },

    async applyImport(store, input) {
      const { file, operationId: _operationId, ...options } = input
      const read = async (): Promise<ImportInput> =>
        'text' in file
          ? file.text
          : 'files' in file
            ? file.files.map((sent) => ({ name: sent.name, content: sent.text }))
            : readImportFiles(port(), file.fileId)
      const imported = async (): Promise<ImportResult> => {
        if (input.operationId === undefined) return applyImport(store, await read(), options)
        return session.track(input.operationId, 'operationId', async (control) =>
          applyImportYielding(store, await read(), options, control)
        )
      }
      return session.announce(
        imported(),
        ({ counts }) => ({ title: 'Import finished', body: `${counts.new} new, ${counts.update} updated, ${counts.invalid} invalid` }),
        'Import failed'
      )
    },

    async backupDatabase(store, input) {
      const files = port()
      const target = await files.chooseBackupTarget(`rolekeeper-backup-${dateOf(store)}.db`)
      if (!target) throw cancelled('No backup was saved')
      const backup = (control: Partial<OperationControl>): Promise<unknown> => backupToFile(store, target.path, control)
      await session.announce(
        input.operationId === undefined ? backup({}) : session.track(input.operationId, 'operationId', backup),
        () => ({ title: 'Backup finished', body: `The database was saved to ${basename(target.path)}` }),
        'Backup failed'
      )
      return { saved: true, ...savedAs(target), savedFileId: remember(target) }
    },

    async exportVerificationKey(store) {
      const files = port()
      const target = await files.chooseVerificationKeyTarget(VERIFICATION_KEY_FILE_NAME)
      if (!target) throw cancelled('The verification key was not saved')
      writeFileAtomic(target.path, verificationKeyFileText(store))
      return { saved: true, ...savedAs(target) }
    },

    async openDatabase(store, input) {
      const files = port()
      const file = await files.chooseDatabaseFile(input.requested)
      if (!file) throw cancelled('No database was opened')
      if (resolve(file) === resolve(store.file)) return { opened: true, databasePath: store.file }
      const open = (control: Partial<OperationControl>): Promise<Store> =>
        session.announce(
          files.openDatabase(file, control).catch((error: unknown) => {
            if (error instanceof DomainError) throw error
            const reason = error instanceof Error ? error.message : String(error)
            throw new DomainError('database', `${basename(file)} cannot be opened as a database (${reason}). Open another file.`)
          }),
          () => ({ title: 'Database opened', body: `Rolekeeper now works on ${basename(file)}` }),
          'The database could not be opened'
        )
      const next = input.operationId === undefined ? await open({}) : await session.track(input.operationId, 'operationId', open)
      // A running export reads the store being closed: stop it (its temporary file is removed).
      session.operations.cancelAll(input.operationId)
      files.useDatabase(next)
      session.replaceStore(next)
      return { opened: true, databasePath: next.file }
    },

    async showSavedFile(_store, input) {
      const path = savedFiles.get(input.savedFileId)
      if (path === undefined) throw new DomainError('not_found', 'This file is no longer known. Look for it where it was saved.')
      if (!existsSync(path)) throw new DomainError('not_found', `${basename(path)} is no longer where it was saved.`)
      port().showInFolder?.(path)
      return { shown: true }
    }
  }
}

const rowCount = (rows: number): string => `${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'}`

const cancelled = (message: string): DomainError => new DomainError('cancelled', message)

/** A JSON Web Key Set, named so that it opens as JSON anywhere. */
export const VERIFICATION_KEY_FILE_NAME = 'rolekeeper-verification-key.jwks.json'

/** Desktop: the full path; browser host: the download's file name and where to fetch it. */
function savedAs(target: SaveTarget): { path: string; download?: HostDownload } {
  return target.download ? { path: target.download.fileName, download: { ...target.download } } : { path: target.path }
}

async function readImportFiles(files: FilePort, fileId: string): Promise<ImportFileContent[]> {
  const read = await files.readImportFile(fileId)
  if (read.reduce((sum, file) => sum + file.content.length, 0) > IMPORT_MAX_BYTES) {
    throw new DomainError('limit_exceeded', `The file is larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MB`)
  }
  return read
}

function dateOf(store: Store): string {
  return store.now().toISOString().slice(0, 10)
}

/** e.g. `rolekeeper-invites-editors-2025-01-31.csv`, `rolekeeper-invite-batch-2025-01-31.csv`, `rolekeeper-users-2025-01-31-ldif.ldif`. */
export function exportFileName(store: Store, options: ExportOptions): string {
  const { scope } = options
  let subject: string
  if (scope.kind === 'roleInvites') subject = `invites-${slug(roleName(store, scope.roleId))}`
  else if (scope.kind === 'allInvites') subject = 'invites'
  else if (scope.kind === 'inviteBatch') subject = 'invite-batch'
  else subject = 'users'
  const { extension, handoff } = EXPORT_FORMAT_INFO[options.format]
  return `rolekeeper-${subject}-${dateOf(store)}${handoff ? `-${options.format}` : ''}.${extension}`
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
