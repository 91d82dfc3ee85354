import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef, useState, type ChangeEvent } from 'react'
import type {
  ImportFilePreview,
  ImportFormat,
  ImportOptions,
  ImportResult,
  ImportRowOutcome,
  MultipleRoleRule
} from '../../../src-main/ipc/contract'
import { IMPORT_FORMAT_LABELS, IMPORT_FORMATS, IMPORT_ROW_OUTCOMES } from '../../../src-main/core/model'
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

/** The files as the main process names them (desktop) or their text (browser host). */
type ImportFile = { fileId: string } | { text: string } | { files: Array<{ name: string; text: string }> }

interface Loaded {
  file: ImportFile
  name: string
  preview: ImportFilePreview['preview']
}

const OUTCOME_LABELS: Record<ImportRowOutcome, string> = {
  new: 'New',
  update: 'Update',
  unchanged: 'Unchanged',
  skipped: 'Skipped',
  invalid: 'Invalid',
  duplicate: 'Duplicate'
}

const ROW_HEIGHT = 44
const ID = 'import'

const RULE_WORDS: Record<MultipleRoleRule, string> = {
  first: 'Keep the role the file lists first',
  order: 'Keep the first of them in this order',
  skip: 'Skip these users'
}

const DEFAULT_OPTIONS: ImportOptions = { existing: 'skip', newUsersAs: 'invited', format: 'auto', multipleRoles: 'first', roleOrder: [] }

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
  const [options, setOptions] = useState<ImportOptions>(DEFAULT_OPTIONS)
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
    const chosen = [...(event.target.files ?? [])]
    const [first] = chosen
    if (!first) return
    try {
      const texts = await Promise.all(chosen.map(async (file) => ({ name: file.name, text: await readUtf8(file) })))
      const name = chosen.map((file) => file.name).join(', ')
      await preview(chosen.length === 1 ? { text: texts[0]?.text ?? '' } : { files: texts }, name, options)
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

  const writable = loaded ? loaded.preview.counts.new + loaded.preview.counts.update + loaded.preview.newRoles.length : 0

  return (
    <>
      <DrawerHeader
        title="Import users"
        description="Rolekeeper’s CSV or JSON, a Directus export, a Keycloak realm export, SCIM 2.0 or LDIF: the format is recognised from the content. Nothing is written until you press Import."
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
                  <label htmlFor={`${ID}-file`}>File to import</label>
                  <p id={`${ID}-file-hint`} className="drawer-hint">
                    One file, or a Directus export’s files together (users, roles, policies, access).
                  </p>
                  <input
                    id={`${ID}-file`}
                    type="file"
                    accept=".csv,.txt,.json,.ldif,text/csv,application/json"
                    multiple
                    aria-describedby={`${ID}-file-hint`}
                    disabled={busy}
                    onChange={(event) => void onFile(event)}
                  />
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

            {loaded ? (
              <FormatChoice
                detected={loaded.preview.format}
                chosen={options.format}
                disabled={busy}
                onChange={(format) => changeOptions({ format })}
              />
            ) : null}

            {loaded && loaded.preview.multipleRoles > 0 ? (
              <RoleRule
                users={loaded.preview.multipleRoles}
                roles={loaded.preview.rolesInConflict}
                rule={options.multipleRoles}
                order={options.roleOrder}
                disabled={busy}
                onChange={(multipleRoles, roleOrder) => changeOptions({ multipleRoles, roleOrder })}
              />
            ) : null}

            {loaded && loaded.preview.newRoles.length > 0 ? (
              <p className="drawer-callout" role="note">
                Creates {plural(loaded.preview.newRoles.length, 'role', 'roles')} the directory does not have:{' '}
                {loaded.preview.newRoles.map((role) => `${role.name}${role.adminAccess ? ' (admin access)' : ''}`).join(', ')}.
              </p>
            ) : null}

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
            <p className="drawer-footer-note">{loaded ? toWrite(loaded.preview) : ''}</p>
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
        {loaded.name}: {plural(preview.totalRows, 'row', 'rows')}
        {preview.format === 'csv' ? (
          <>
            . Columns read: {columns.map(([field, header]) => `${header} → ${field}`).join(', ') || 'none'}
            {preview.ignoredColumns.length > 0 ? `; ignored: ${preview.ignoredColumns.join(', ')}` : ''}
          </>
        ) : null}
        .
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
                  ref={virtualizer.measureElement}
                  data-index={item.index}
                  role="row"
                  aria-rowindex={item.index + 2}
                  className={`import-row import-row--${row.outcome}`}
                  style={{ transform: `translateY(${item.start}px)`, minHeight: ROW_HEIGHT }}
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
                  <span role="cell" className="import-role">
                    {row.role ?? ''}
                    {row.otherRoles.length > 0 ? <span className="import-reason">also held: {row.otherRoles.join(', ')}</span> : null}
                  </span>
                  <span role="cell" className="import-outcome">
                    <span className={`import-badge import-badge--${row.outcome}`}>{OUTCOME_LABELS[row.outcome]}</span>
                    {row.reason ? <span className="import-reason">{row.reason}</span> : null}
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

/** The format the file was read as; the admin can read it as another. */
function FormatChoice(props: {
  detected: ImportFormat
  chosen: ImportOptions['format']
  disabled: boolean
  onChange(format: ImportOptions['format']): void
}) {
  const { detected, chosen, disabled, onChange } = props
  return (
    <div className="drawer-field">
      <label htmlFor={`${ID}-format`}>Read the file as</label>
      <select
        id={`${ID}-format`}
        value={chosen}
        disabled={disabled}
        onChange={(event) => onChange(IMPORT_FORMATS.find((format) => format === event.target.value) ?? 'auto')}
      >
        <option value="auto">{IMPORT_FORMAT_LABELS[detected]} (recognised from the content)</option>
        {IMPORT_FORMATS.map((format) => (
          <option key={format} value={format}>
            {IMPORT_FORMAT_LABELS[format]}
          </option>
        ))}
      </select>
    </div>
  )
}

/**
 * Rolekeeper keeps one role per user: for users holding several in the source, the admin picks
 * which one (the first listed, the first in an order of their choosing) or skips them.
 */
function RoleRule(props: {
  users: number
  roles: string[]
  rule: MultipleRoleRule
  order: string[]
  disabled: boolean
  onChange(rule: MultipleRoleRule, order: string[]): void
}) {
  const { users, roles, rule, order, disabled, onChange } = props
  // The order covers every role in conflict: the admin's ranking first, then the rest by name.
  const ranked = [...order.filter((name) => roles.includes(name)), ...roles.filter((name) => !order.includes(name))]
  const move = (index: number, by: number): void => {
    const next = [...ranked]
    const [name] = next.splice(index, 1)
    if (name === undefined) return
    next.splice(index + by, 0, name)
    onChange('order', next)
  }
  return (
    <fieldset className="drawer-fieldset import-role-rule">
      <legend>{plural(users, 'user holds', 'users hold')} several roles; Rolekeeper keeps one per user</legend>
      {(['first', 'order', 'skip'] as const).map((value) => (
        <label key={value} className="drawer-check">
          <input
            type="radio"
            name={`${ID}-multiple-roles`}
            checked={rule === value}
            disabled={disabled}
            onChange={() => onChange(value, ranked)}
          />
          {RULE_WORDS[value]}
        </label>
      ))}
      {rule === 'order' ? (
        <ol className="import-role-order" aria-label="Role order, most wanted first">
          {ranked.map((name, index) => (
            <li key={name}>
              <span>{name}</span>
              <button
                type="button"
                className="drawer-button drawer-button--small"
                aria-label={`Move ${name} up`}
                disabled={disabled || index === 0}
                onClick={() => move(index, -1)}
              >
                ↑
              </button>
              <button
                type="button"
                className="drawer-button drawer-button--small"
                aria-label={`Move ${name} down`}
                disabled={disabled || index === ranked.length - 1}
                onClick={() => move(index, 1)}
              >
                ↓
              </button>
            </li>
          ))}
        </ol>
      ) : null}
    </fieldset>
  )
}

/** What Import would write, in words: users, and roles when the file brings new ones. */
function toWrite(preview: Loaded['preview']): string {
  const users = plural(preview.counts.new + preview.counts.update, 'user', 'users')
  return preview.newRoles.length > 0 ? `${users} and ${plural(preview.newRoles.length, 'role', 'roles')} to write` : `${users} to write`
}
