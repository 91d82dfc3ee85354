import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef, useState, type ChangeEvent } from 'react'
import type { ImportFilePreview, ImportOptions, ImportResult, ImportRowOutcome } from '../../../src-main/ipc/contract'
import { IMPORT_ROW_OUTCOMES } from '../../../src-main/core/model'
import { api } from '../api'
import { describeError } from '../errors'
import { formatCount, plural } from '../format'
import { notify } from '../state/notifications'
import { Drawer, DrawerBody, DrawerFooter, DrawerHeader, useDrawerClose, useDrawerDirty } from './Drawer'
import { OperationProgress, useOperation } from './OperationProgress'

export interface ImportDialogProps {
  open: boolean
  onOpenChange(open: boolean): void
  onImported(result: ImportResult): void
}

/** The file as the main process names it (desktop) or its text (browser host). */
type ImportFile = { fileId: string } | { text: string }

interface Loaded {
  file: ImportFile
  name: string
  preview: ImportFilePreview['preview']
}

const OUTCOME_LABELS: Record<ImportRowOutcome, string> = {
  new: 'New',
  update: 'Update',
  unchanged: 'Unchanged',
  invalid: 'Invalid',
  duplicate: 'Duplicate'
}

const ROW_HEIGHT = 44
const ID = 'import'

export function ImportDialog({ open, onOpenChange, onImported }: ImportDialogProps) {
  return (
    <Drawer open={open} onOpenChange={onOpenChange} placement="center" className="import-dialog">
      <ImportFlow onImported={onImported} />
    </Drawer>
  )
}

/** Reads a chosen file as UTF-8, refusing other encodings with the words the main process uses. */
async function readUtf8(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new Error('The file is not UTF-8 text: it is UTF-16. Save it as "CSV UTF-8" and try again.')
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new Error('The file is not UTF-8 text. Save it as "CSV UTF-8" and try again.')
  }
}

function ImportFlow({ onImported }: { onImported(result: ImportResult): void }) {
  const { close } = useDrawerClose()
  const [options, setOptions] = useState<ImportOptions>({ existing: 'skip', newUsersAs: 'invited' })
  const [runtime, setRuntime] = useState<'desktop' | 'host' | null>(null)
  const [loaded, setLoaded] = useState<Loaded | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [result, setResult] = useState<ImportResult | null>(null)
  const operation = useOperation()

  useEffect(() => {
    let current = true
    void api.getAppInfo().then((info) => {
      if (current) setRuntime(info.ok ? info.value.runtime : 'desktop')
    })
    return () => {
      current = false
    }
  }, [])

  useDrawerDirty(loaded !== null && result === null)

  const preview = async (file: ImportFile | undefined, name: string | null, next: ImportOptions): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      const answer = await api.previewImport({ ...next, ...(file ? { file } : {}) })
      if (!answer.ok) {
        if (answer.error.code !== 'cancelled') setError(describeError(answer.error))
        return
      }
      const { fileId, fileName } = answer.value
      setLoaded({
        file: fileId ? { fileId } : (file ?? { text: '' }),
        name: fileName ?? name ?? 'the file',
        preview: answer.value.preview
      })
    } finally {
      setBusy(false)
    }
  }

  const onFile = async (event: ChangeEvent<HTMLInputElement>): Promise<void> => {
    const file = event.target.files?.[0]
    if (!file) return
    try {
      const text = await readUtf8(file)
      await preview({ text }, file.name, options)
    } catch (problem) {
      setLoaded(null)
      setError(problem instanceof Error ? problem.message : 'The file could not be read.')
    }
  }

  const changeOptions = (change: Partial<ImportOptions>): void => {
    const next = { ...options, ...change }
    setOptions(next)
    if (loaded) void preview(loaded.file, loaded.name, next)
  }

  const apply = async (): Promise<void> => {
    if (!loaded) return
    setBusy(true)
    setError(null)
    try {
      const answer = await api.applyImport({ ...options, file: loaded.file, operationId: operation.start() })
      if (!answer.ok) {
        if (answer.error.code === 'cancelled') notify({ tone: 'info', message: 'Import cancelled: nothing was written' })
        else setError(describeError(answer.error))
        return
      }
      setResult(answer.value)
      onImported(answer.value)
      const { counts } = answer.value
      notify({
        tone: 'success',
        message: `Imported ${plural(counts.new, 'new user', 'new users')} and updated ${plural(counts.update, 'user', 'users')}.`
      })
    } finally {
      operation.finish()
      setBusy(false)
    }
  }

  const writable = loaded ? loaded.preview.counts.new + loaded.preview.counts.update : 0

  return (
    <>
      <DrawerHeader
        title="Import users"
        description="A CSV file with a header row: email (required), first_name, last_name, role and status. Nothing is written until you press Import."
        closeButton={result === null}
      />
      <DrawerBody>
        {result ? (
          <section className="import-result" aria-label="Import result">
            <p role="status">
              Import finished: {plural(result.counts.new, 'new user', 'new users')}, {plural(result.counts.update, 'user', 'users')}{' '}
              updated.
            </p>
            <Counts counts={result.counts} label="Rows by result" />
          </section>
        ) : (
          <div className="drawer-fields">
            <div className="import-options">
              <fieldset className="drawer-fieldset">
                <legend>Existing users</legend>
                <label className="drawer-check">
                  <input
                    type="radio"
                    name={`${ID}-existing`}
                    checked={options.existing === 'skip'}
                    onChange={() => changeOptions({ existing: 'skip' })}
                  />
                  Skip them
                </label>
                <label className="drawer-check">
                  <input
                    type="radio"
                    name={`${ID}-existing`}
                    checked={options.existing === 'update'}
                    onChange={() => changeOptions({ existing: 'update' })}
                  />
                  Update them from the file
                </label>
              </fieldset>
              <fieldset className="drawer-fieldset">
                <legend>New users without a status</legend>
                <label className="drawer-check">
                  <input
                    type="radio"
                    name={`${ID}-new`}
                    checked={options.newUsersAs === 'invited'}
                    onChange={() => changeOptions({ newUsersAs: 'invited' })}
                  />
                  Invite them
                </label>
                <label className="drawer-check">
                  <input
                    type="radio"
                    name={`${ID}-new`}
                    checked={options.newUsersAs === 'draft'}
                    onChange={() => changeOptions({ newUsersAs: 'draft' })}
                  />
                  Create them as drafts
                </label>
              </fieldset>
            </div>

            <div className="drawer-field">
              {runtime === 'host' ? (
                <>
                  <label htmlFor={`${ID}-file`}>CSV file</label>
                  <input id={`${ID}-file`} type="file" accept=".csv,text/csv" disabled={busy} onChange={(event) => void onFile(event)} />
                </>
              ) : (
                <div className="import-choose">
                  <button
                    type="button"
                    className="drawer-button"
                    disabled={busy || runtime === null}
                    onClick={() => void preview(undefined, null, options)}
                  >
                    {loaded ? 'Choose another file…' : 'Choose file…'}
                  </button>
                  {loaded ? <span className="mono">{loaded.name}</span> : null}
                </div>
              )}
            </div>

            {error ? (
              <div className="drawer-callout drawer-callout--danger" role="alert">
                {error}
              </div>
            ) : null}

            {operation.running ? <OperationProgress id={ID} running={operation.running} label="Importing" /> : null}

            {loaded ? <PreviewTable loaded={loaded} /> : null}
          </div>
        )}
      </DrawerBody>
      <DrawerFooter>
        {result ? (
          <button type="button" className="drawer-button drawer-button--primary" onClick={close}>
            Close
          </button>
        ) : (
          <>
            <p className="drawer-footer-note">{loaded ? `${plural(writable, 'row', 'rows')} to write` : ''}</p>
            <button
              type="button"
              className="drawer-button"
              disabled={operation.running?.cancelling}
              onClick={operation.running ? operation.cancel : close}
            >
              Cancel
            </button>
            <button
              type="button"
              className="drawer-button drawer-button--primary"
              disabled={!loaded || writable === 0 || busy}
              aria-busy={busy || undefined}
              onClick={() => void apply()}
            >
              Import
            </button>
          </>
        )}
      </DrawerFooter>
    </>
  )
}

function Counts({ counts, label }: { counts: Record<ImportRowOutcome, number>; label: string }) {
  return (
    <ul className="import-counts" aria-label={label}>
      {IMPORT_ROW_OUTCOMES.map((outcome) => (
        <li key={outcome} className={counts[outcome] > 0 ? `import-count import-count--${outcome}` : 'import-count'}>
          <strong>{formatCount(counts[outcome])}</strong> {OUTCOME_LABELS[outcome].toLowerCase()}
        </li>
      ))}
    </ul>
  )
}

function PreviewTable({ loaded }: { loaded: Loaded }) {
  const { preview } = loaded
  const scroller = useRef<HTMLDivElement>(null)
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtualizer = useVirtualizer({
    count: preview.rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10
  })
  const columns = Object.entries(preview.columns)
  return (
    <section className="import-preview" aria-label="Import preview">
      <p className="drawer-hint">
        {loaded.name}: {plural(preview.totalRows, 'row', 'rows')}. Columns read:{' '}
        {columns.map(([field, header]) => `${header} → ${field}`).join(', ') || 'none'}
        {preview.ignoredColumns.length > 0 ? `; ignored: ${preview.ignoredColumns.join(', ')}` : ''}.
      </p>
      <Counts counts={preview.counts} label="Preview counts" />
      <div className="import-table" role="table" aria-label="Rows in the file" aria-rowcount={preview.rows.length + 1}>
        <div role="rowgroup">
          <div role="row" className="import-row import-row--head">
            <span role="columnheader">Line</span>
            <span role="columnheader">Email</span>
            <span role="columnheader">Name</span>
            <span role="columnheader">Role</span>
            <span role="columnheader">Result</span>
          </div>
        </div>
        <div ref={scroller} className="import-scroll">
          <div role="rowgroup" className="import-body" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = preview.rows[item.index]
              if (!row) return null
              return (
                <div
                  key={item.index}
                  role="row"
                  aria-rowindex={item.index + 2}
                  className={`import-row import-row--${row.outcome}`}
                  style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                >
                  <span role="cell" className="muted">
                    {row.line}
                  </span>
                  <span role="cell" className="ellipsis">
                    {row.email || '—'}
                  </span>
                  <span role="cell" className="ellipsis">
                    {[row.firstName, row.lastName].filter(Boolean).join(' ')}
                  </span>
                  <span role="cell" className="ellipsis">
                    {row.role ?? ''}
                  </span>
                  <span role="cell" className="import-outcome">
                    <span className={`import-badge import-badge--${row.outcome}`}>{OUTCOME_LABELS[row.outcome]}</span>
                    {row.reason ? (
                      <span className="import-reason" title={row.reason}>
                        {row.reason}
                      </span>
                    ) : null}
                    {row.outcome === 'update' && row.changes.length > 0 ? (
                      <span className="import-reason">{row.changes.join(', ')}</span>
                    ) : null}
                  </span>
                </div>
              )
            })}
          </div>
        </div>
      </div>
      {preview.rowsOmitted > 0 ? (
        <p className="drawer-hint">{plural(preview.rowsOmitted, 'more row is', 'more rows are')} counted above but not listed.</p>
      ) : null}
    </section>
  )
}
