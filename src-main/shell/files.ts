/**
 * The desktop's `FilePort`: the main process's own save and open dialogs (the page never names a
 * path), progress of exports, imports, invites and database checks in the window and on the
 * taskbar or dock, import files remembered by id, switching the app to another database file
 * (one chosen in the dialog, or one the desktop was asked to open: Open Recent, the command
 * line, a second launch), Show in folder, and a system notification when long work ends while
 * the window is in the background.
 */
import { randomUUID } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { DomainError } from '../core/errors'
import type { Store } from '../core/store'
import { EXPORT_FORMAT_INFO, IMPORT_MAX_BYTES, type ExportFormat, type OperationProgress } from '../core/model'
import { SHELL_CHANNELS } from '../ipc/calls'
import type { IntegrityControl } from '../core/db/integrity'
import type { ChosenImportFile, FilePort, SaveTarget, WorkNotice } from '../ipc/ports'
import { DISCARD_CHANGES, KEEP_EDITING, type DialogLike, type WindowLike } from './window'

export interface FileFilter {
  name: string
  extensions: string[]
}

export interface SaveDialogOptionsLike {
  title: string
  defaultPath: string
  buttonLabel: string
  filters: FileFilter[]
  properties: Array<'createDirectory' | 'showOverwriteConfirmation'>
}

export interface OpenDialogOptionsLike {
  title: string
  defaultPath: string
  buttonLabel: string
  filters: FileFilter[]
  properties: Array<'openFile' | 'multiSelections'>
}

export interface FileDialogLike<W> extends DialogLike<W> {
  showSaveDialog(window: W, options: SaveDialogOptionsLike): Promise<{ canceled: boolean; filePath?: string }>
  showOpenDialog(window: W, options: OpenDialogOptionsLike): Promise<{ canceled: boolean; filePaths: string[] }>
}

export interface DesktopFilesOptions<W extends WindowLike> {
  dialog: FileDialogLike<W>
  /** The main window; dialogs are attached to it, progress is shown on it. */
  window(): W | null
  /** Where the first dialog opens (the Documents folder); later ones open where the last one was. */
  startFolder: string
  /** Whether the page holds unsaved edits, which opening another database would discard. */
  hasUnsavedChanges(): boolean
  /** Open a store on another database file, with the app's invite keys. */
  openStore(file: string, control: Pick<IntegrityControl, 'signal' | 'onProgress'>): Promise<Store>
  /** The store the app uses now. */
  currentStore(): Store
  /** The new store is in use: remember it for the next start. */
  switched(store: Store): void
  /** `shell.showItemInFolder`. */
  showItemInFolder(path: string): void
  /** Show a system notification (called only while the window is not focused). */
  notify(notice: WorkNotice): void
  /** Runs the window's reload once the call that switched has answered (a timer by default). */
  later?(task: () => void): void
}

export interface DesktopFiles extends FilePort {
  /** The file `openDatabase({ requested: true })` opens next (Open Recent, the command line). */
  requestDatabase(file: string): void
}

const exportFilter = (format: ExportFormat): FileFilter[] => [
  { name: EXPORT_FORMAT_INFO[format].label, extensions: [EXPORT_FORMAT_INFO[format].extension] }
]

const FILTERS: Record<'database' | 'import', FileFilter[]> = {
  import: [
    { name: 'Users and roles (CSV, JSON, LDIF)', extensions: ['csv', 'txt', 'json', 'ldif'] },
    { name: 'All files', extensions: ['*'] }
  ],
  database: [
    { name: 'Rolekeeper database', extensions: ['db', 'sqlite', 'sqlite3', 'backup'] },
    { name: 'All files', extensions: ['*'] }
  ]
}

/** The open dialog's filters for a database file, also used before the window exists. */
export const DATABASE_FILTERS = FILTERS.database

export function createDesktopFiles<W extends WindowLike>(options: DesktopFilesOptions<W>): DesktopFiles {
  const { dialog } = options
  const later = options.later ?? ((task: () => void): void => void setTimeout(task, 0))
  let folder = options.startFolder
  let requested: string | null = null
  const importFiles = new Map<string, string[]>()
  /** Exports, imports and invites running now, newest last: the taskbar shows the newest. */
  const running = new Map<string, OperationProgress>()

  const liveWindow = (): W | null => {
    const window = options.window()
    return window && !window.isDestroyed() ? window : null
  }

  const save = async (title: string, suggestedName: string, filters: FileFilter[]): Promise<SaveTarget | null> => {
    const window = liveWindow()
    if (!window) return null
    const answer = await dialog.showSaveDialog(window, {
      title,
      defaultPath: join(folder, suggestedName),
      buttonLabel: 'Save',
      filters,
      properties: ['createDirectory', 'showOverwriteConfirmation']
    })
    if (answer.canceled || !answer.filePath) return null
    folder = dirname(answer.filePath)
    return { path: answer.filePath }
  }

  const openMany = async (title: string, buttonLabel: string, filters: FileFilter[], many: boolean): Promise<string[] | null> => {
    const window = liveWindow()
    if (!window) return null
    const properties: OpenDialogOptionsLike['properties'] = many ? ['openFile', 'multiSelections'] : ['openFile']
    const answer = await dialog.showOpenDialog(window, { title, defaultPath: folder, buttonLabel, filters, properties })
    const [file] = answer.filePaths
    if (answer.canceled || !file) return null
    folder = dirname(file)
    return answer.filePaths
  }
  const open = async (title: string, buttonLabel: string, filters: FileFilter[]): Promise<string | null> =>
    (await openMany(title, buttonLabel, filters, false))?.[0] ?? null

  const showProgress = (): void => {
    const window = liveWindow()
    if (!window) return
    const latest = [...running.values()].at(-1)
    if (!latest) {
      window.setProgressBar(-1)
      return
    }
    // Above 1 is the indeterminate bar: the total is not known yet.
    window.setProgressBar(latest.total > 0 ? Math.min(1, latest.done / latest.total) : 2)
  }

  return {
    chooseExportTarget: (suggestedName, format) => save('Export', suggestedName, exportFilter(format)),

    progress(operationId, done, total) {
      const progress = { operationId, done, total }
      running.delete(operationId)
      running.set(operationId, progress)
      showProgress()
      liveWindow()?.webContents.send(SHELL_CHANNELS.progress, progress)
    },

    ended(operationId) {
      running.delete(operationId)
      showProgress()
    },

    async chooseImportFile(): Promise<ChosenImportFile | null> {
      const files = await openMany('Import users', 'Import', FILTERS.import, true)
      if (!files) return null
      const fileId = randomUUID()
      importFiles.set(fileId, files)
      return { fileId, name: files.map((file) => basename(file)).join(', ') }
    },

    async readImportFile(fileId) {
      const files = importFiles.get(fileId)
      if (files === undefined) throw new DomainError('not_found', 'This import file is no longer known. Choose it again.')
      let total = 0
      const read = []
      for (const file of files) {
        try {
          total += (await stat(file)).size
          if (total > IMPORT_MAX_BYTES) {
            throw new DomainError('limit_exceeded', `${basename(file)} is larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MB`)
          }
          read.push({ name: basename(file), content: await readFile(file) })
        } catch (error) {
          if (error instanceof DomainError) throw error
          throw new DomainError('not_found', `${basename(file)} cannot be read any more (${errorCode(error)}). Choose the file again.`)
        }
      }
      return read
    },

    chooseBackupTarget: (suggestedName) => save('Back up database', suggestedName, [{ name: 'Rolekeeper database', extensions: ['db'] }]),

    chooseVerificationKeyTarget: (suggestedName) =>
      save('Export verification key', suggestedName, [{ name: 'JSON Web Key Set', extensions: ['json', 'jwks'] }]),

    async chooseDatabaseFile(wantsRequested) {
      const window = liveWindow()
      if (wantsRequested ? requested === null : !window) return null
      if (window && options.hasUnsavedChanges()) {
        const { response } = await dialog.showMessageBox(window, {
          type: 'warning',
          buttons: [DISCARD_CHANGES, KEEP_EDITING],
          defaultId: 1,
          cancelId: 1,
          title: 'Unsaved changes',
          message: 'You have changes that are not saved.',
          detail: 'Opening another database discards them.',
          noLink: true
        })
        if (response !== 0) return null
      }
      if (wantsRequested) {
        const file = requested
        requested = null
        return file
      }
      return window ? open('Open database', 'Open', FILTERS.database) : null
    },

    requestDatabase(file) {
      requested = file
    },

    // If this throws, nothing has changed: the previous store is still open and in use.
    openDatabase: (file, control) => options.openStore(file, control),

    useDatabase(next) {
      const previous = options.currentStore()
      options.switched(next)
      previous.close()
      importFiles.clear()
      // Every page shows data of the previous file: start the page again on the new one, once
      // the call that switched has had its answer.
      later(() => liveWindow()?.webContents.reload())
    },

    showInFolder: (path) => options.showItemInFolder(path),

    workEnded(notice) {
      const window = liveWindow()
      // In front, the page says it itself; a notification would say it twice.
      if (window?.isFocused()) return
      options.notify(notice)
    }
  }
}

function errorCode(error: unknown): string {
  const code: unknown = error instanceof Error ? Reflect.get(error, 'code') : undefined
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error)
}
