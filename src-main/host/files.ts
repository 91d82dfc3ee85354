/**
 * The browser host's FilePort. A browser page has no save or open dialog the main side could
 * open, so:
 * - an export, a backup or the verification key (a JWKS) is written (by the same core code the desktop uses, so the same bytes)
 *   into a private temporary folder and offered at `/__rolekeeper/download/<random id>`, which
 *   only answers requests carrying the host's secret; the page's shim fetches it and the browser
 *   saves it as a download;
 * - an import is sent by the page as the file's text (`{ file: { text } }`), read with a file
 *   input: there is no open dialog here;
 * - another database can be opened only if the host was started with `--allow-open FILE`, and
 *   then only that file.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { extname, join, resolve } from 'node:path'
import type { IntegrityControl } from '../core/db/integrity'
import { DomainError } from '../core/errors'
import type { OperationProgress } from '../core/model'
import type { Store } from '../core/store'
import type { ChosenImportFile, FilePort, ImportFileContent, SaveTarget } from '../ipc/ports'
import { DOWNLOAD_PREFIX } from './protocol'

export interface HostDownloadFile {
  path: string
  fileName: string
  contentType: string
}

const CONTENT_TYPES: Record<string, string> = {
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ldif': 'text/x-ldif; charset=utf-8',
  '.db': 'application/vnd.sqlite3'
}

export interface HostFilesOptions {
  /** The one database file `openDatabase` may switch to (`--allow-open`); none: refused. */
  allowOpen?: string
  /** A store on another database file, with the keys kept beside it, checked as it opens. */
  openStore(file: string, control: Pick<IntegrityControl, 'signal' | 'onProgress'>): Promise<Store>
  /** The store in use now, and what to do with the one `openDatabase` opened. */
  currentStore(): Store
  useStore(store: Store): void
}

export class HostFiles implements FilePort {
  private readonly folder = mkdtempSync(join(tmpdir(), 'rolekeeper-host-downloads-'))
  private readonly downloads = new Map<string, HostDownloadFile>()
  private readonly progressById = new Map<string, OperationProgress>()

  constructor(private readonly options: HostFilesOptions) {}

  /** A download by its id; its file exists only once the export or backup has been written. */
  download(id: string): HostDownloadFile | null {
    return this.downloads.get(id) ?? null
  }

  chooseExportTarget(suggestedName: string): Promise<SaveTarget> {
    return Promise.resolve(this.downloadTarget(suggestedName))
  }

  /** The latest progress of each running export, import, invite or backup, which the page polls. */
  running(): OperationProgress[] {
    return [...this.progressById.values()]
  }

  progress(operationId: string, done: number, total: number): void {
    this.progressById.set(operationId, { operationId, done, total })
  }

  ended(operationId: string): void {
    this.progressById.delete(operationId)
  }

  chooseImportFile(): Promise<ChosenImportFile | null> {
    return Promise.reject(
      new DomainError('validation', 'The browser host has no open dialog: the page sends the file’s text instead.', {
        file: 'Choose the file in the page'
      })
    )
  }

  readImportFile(): Promise<ImportFileContent[]> {
    return Promise.reject(new DomainError('not_found', 'The browser host keeps no chosen files: send the file’s text.'))
  }

  chooseBackupTarget(suggestedName: string): Promise<SaveTarget> {
    return Promise.resolve(this.downloadTarget(suggestedName))
  }

  chooseVerificationKeyTarget(suggestedName: string): Promise<SaveTarget> {
    return Promise.resolve(this.downloadTarget(suggestedName))
  }

  chooseDatabaseFile(requested: boolean): Promise<string | null> {
    // Nothing asks the browser host to open a file (no recent list, no second launch).
    if (requested) return Promise.resolve(null)
    if (!this.options.allowOpen) {
      return Promise.reject(
        new DomainError(
          'database',
          'Opening another database file is not available in the browser host. Start it with --allow-open FILE to allow that file.'
        )
      )
    }
    return Promise.resolve(resolve(this.options.allowOpen))
  }

  openDatabase(file: string, control: Pick<IntegrityControl, 'signal' | 'onProgress'>): Promise<Store> {
    return this.options.openStore(file, control)
  }

  useDatabase(next: Store): void {
    const previous = this.options.currentStore()
    this.options.useStore(next)
    previous.close()
  }

  /** Remove every download; the host is stopping. */
  dispose(): void {
    this.downloads.clear()
    rmSync(this.folder, { recursive: true, force: true })
  }

  private downloadTarget(suggestedName: string): SaveTarget {
    const id = randomBytes(24).toString('base64url')
    // A folder per download, so the file keeps the suggested name and never meets another.
    const folder = join(this.folder, id)
    mkdirSync(folder)
    const fileName = suggestedName.replace(/[^\p{L}\p{N}._-]+/gu, '-')
    const path = join(folder, fileName)
    this.downloads.set(id, {
      path,
      fileName,
      contentType: CONTENT_TYPES[extname(fileName)] ?? 'application/octet-stream'
    })
    return { path, download: { url: `${DOWNLOAD_PREFIX}${id}`, fileName } }
  }
}
