/**
 * What the handlers need from the world outside the store: dialogs, files and the window. The
 * desktop shell implements it with Electron's dialogs and `webContents`, the browser host with a
 * temporary folder served as downloads, the tests with a recording fake. The renderer never
 * names a path: every path here comes from a dialog (or the host's command line).
 */
import type { IntegrityControl } from '../core/db/integrity'
import type { Store } from '../core/store'
import type { ExportFormat } from '../core/model'

/** Long work that ended, for the operating system's notification when the window is not in front. */
export interface WorkNotice {
  title: string
  body: string
}

/** Where an export or a backup is written, as the save dialog answered. */
export interface SaveTarget {
  /** Absolute path of the file to write; its folder exists. A file already there is replaced. */
  path: string
  /**
   * Browser host only: once the file is written, the page fetches it from here (with the host's
   * secret) and the browser saves it as a download. The desktop leaves it out.
   */
  download?: { url: string; fileName: string }
}

/** The import files chosen in the open dialog, remembered by the port under `fileId`. */
export interface ChosenImportFile {
  fileId: string
  /** The files' names without their folders, to show in the preview. */
  name: string
}

/** One chosen import file as it is on disk now. */
export interface ImportFileContent {
  name: string
  content: Buffer
}

export interface FilePort {
  /**
   * The save dialog for an export, opened on `suggestedName` (e.g.
   * `rolekeeper-invites-editors-2025-01-31.csv`) with a filter for `format`. Null when dismissed.
   */
  chooseExportTarget(suggestedName: string, format: ExportFormat): Promise<SaveTarget | null>

  /**
   * Progress of a running export, import or invite (desktop: the window's events and the
   * taskbar bar; the browser host sends none).
   */
  progress(operationId: string, done: number, total: number): void

  /** The operation ended: done, failed or cancelled (desktop: clear the taskbar bar). */
  ended(operationId: string): void

  /**
   * The open dialog for an import: one file, or several read together (a Directus export comes
   * one collection per file); null when dismissed.
   */
  chooseImportFile(): Promise<ChosenImportFile | null>

  /**
   * The bytes of the files chosen earlier by `chooseImportFile`, read again from disk each time
   * (the preview and the apply must see the files as they are now). Throws
   * `DomainError('not_found')` for an id it never handed out, `DomainError('limit_exceeded')`
   * for files over `IMPORT_MAX_BYTES` together, and `DomainError('not_found')` when a file has
   * gone since.
   */
  readImportFile(fileId: string): Promise<ImportFileContent[]>

  /** The save dialog for a database backup, opened on `suggestedName`. Null when dismissed. */
  chooseBackupTarget(suggestedName: string): Promise<SaveTarget | null>

  /**
   * The save dialog for the verification key (a JWKS file), opened on `suggestedName`. Null when
   * dismissed.
   */
  chooseVerificationKeyTarget(suggestedName: string): Promise<SaveTarget | null>

  /**
   * The open dialog for another database file; null when dismissed. `requested`: instead of the
   * dialog, the file the desktop was asked to open (Open Recent, the command line, a second
   * launch), or null when there is none. May throw `DomainError('database')` where opening
   * another file is not offered (the browser host started without `--allow-open`).
   */
  chooseDatabaseFile(requested: boolean): Promise<string | null>

  /**
   * Open a store on `file` (with the app's invite keys): refused if read-only, damaged, newer or
   * foreign (the integrity check reporting to `control` and stopped by its signal), migrated if
   * older. Nothing is switched yet: the current store stays in use.
   */
  openDatabase(file: string, control: Pick<IntegrityControl, 'signal' | 'onProgress'>): Promise<Store>

  /**
   * Make `store` (from `openDatabase`) the app's database: remember it for the next start,
   * close the previous store and start the page again on the new one.
   */
  useDatabase(store: Store): void

  /** Show a saved file in the system's file manager (desktop only). */
  showInFolder?(path: string): void

  /** An export, import, invite, backup or open ended (desktop: notify when the window is not focused). */
  workEnded?(notice: WorkNotice): void
}
