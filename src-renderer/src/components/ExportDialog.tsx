import { useEffect, useId, useRef, useState } from 'react'
import type {
  ApiError,
  CallInput,
  ExpiredInviteChoice,
  ExportFormat,
  ExportOutcome,
  ExportPreview,
  ExportScope,
  KeycloakIfExists
} from '../../../src-main/ipc/contract'
import { EXPORT_FORMAT_INFO, EXPORT_FORMATS, KEYCLOAK_IF_EXISTS } from '../../../src-main/core/model'
import { api } from '../api'
import { describeError, fieldError } from '../errors'
import { formatCount, plural } from '../format'
import { desktopShell } from '../shell'
import { Drawer, DrawerBody, DrawerFooter, DrawerHeader, useDrawerClose } from './Drawer'
import { ShowInFolderButton } from './ShowInFolderButton'

export interface ExportChoice {
  label: string
  scope: ExportScope
}

export interface ExportDialogProps {
  open: boolean
  onOpenChange(open: boolean): void
  title?: string
  /** What can be exported from where the dialog was opened; the first is chosen. */
  scopes: ExportChoice[]
}

type Phase =
  | { kind: 'options' }
  | { kind: 'running'; exportId: string; done: number; total: number | null; cancelling: boolean }
  | { kind: 'done'; outcome: ExportOutcome }
  | { kind: 'failed'; error: ApiError }

type Options = Omit<CallInput<'exportInvites'>, 'exportId'>

const ID = 'export'

const IF_EXISTS_WORDS: Record<KeycloakIfExists, string> = {
  SKIP: 'Skip it (keep what Keycloak has)',
  OVERWRITE: 'Overwrite it with this file',
  FAIL: 'Stop the import'
}

/** An invite list, user export or hand-off file: the main process asks where to save it (the browser host downloads it). */
export function ExportDialog({ open, onOpenChange, title = 'Export invites', scopes }: ExportDialogProps) {
  return (
    <Drawer open={open} onOpenChange={onOpenChange} placement="center" className="export-dialog">
      <ExportForm title={title} scopes={scopes} />
    </Drawer>
  )
}

function ExportForm({ title, scopes }: { title: string; scopes: ExportChoice[] }) {
  const { close } = useDrawerClose()
  const [choice, setChoice] = useState(0)
  const [format, setFormat] = useState<ExportFormat>('csv')
  const [bom, setBom] = useState(true)
  const [baseDn, setBaseDn] = useState<string | null>(null)
  const [ifExists, setIfExists] = useState<KeycloakIfExists | null>(null)
  const [expired, setExpired] = useState<ExpiredInviteChoice>('leave_out')
  const [leaveOutRefused, setLeaveOutRefused] = useState(false)
  const [preview, setPreview] = useState<{ key: string; value: ExportPreview | null; error: ApiError | null } | null>(null)
  const [phase, setPhase] = useState<Phase>({ kind: 'options' })
  const running = phase.kind === 'running' ? phase.exportId : null
  const mounted = useRef(true)

  const scope = scopes[choice]?.scope
  const info = EXPORT_FORMAT_INFO[format]
  const remembered = preview?.value?.remembered
  const chosenBaseDn = baseDn ?? remembered?.ldifBaseDn ?? ''
  const chosenIfExists = ifExists ?? remembered?.keycloakIfExists ?? 'SKIP'
  const options: Options | null = scope
    ? {
        scope,
        format,
        bom: format === 'csv' && bom,
        ...(format === 'ldif' && { ldifBaseDn: chosenBaseDn }),
        ...(format === 'keycloak' && { keycloakIfExists: chosenIfExists }),
        expiredInvites: expired,
        leaveOutRefused
      }
    : null
  // What the file would hold depends on the scope, the format and (LDIF) the base DN only.
  const previewKey = options ? JSON.stringify([options.scope, format, format === 'ldif' ? chosenBaseDn : '']) : ''

  useEffect(() => {
    mounted.current = true
    return () => {
      mounted.current = false
    }
  }, [])

  useEffect(() => {
    if (!options || phase.kind === 'running') return
    let current = true
    const { scope: wanted, format: chosen } = options
    void api.previewExport({ scope: wanted, format: chosen, ...(chosen === 'ldif' && { ldifBaseDn: chosenBaseDn }) }).then((result) => {
      if (!current) return
      setPreview({ key: previewKey, value: result.ok ? result.value : null, error: result.ok ? null : result.error })
    })
    return () => {
      current = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the preview depends on exactly what previewKey names (options is a new object each render)
  }, [previewKey])

  useEffect(() => {
    if (!running) return
    const stop = window.rolekeeperShell?.onProgress?.((progress) => {
      if (progress.operationId !== running) return
      setPhase((current) =>
        current.kind === 'running' && current.exportId === running ? { ...current, done: progress.done, total: progress.total } : current
      )
    })
    return () => stop?.()
  }, [running])

  // Closing the dialog while an export runs stops it: no half file is left behind.
  useEffect(
    () => () => {
      if (running) void api.cancelOperation({ operationId: running })
    },
    [running]
  )

  const start = async (): Promise<void> => {
    if (!options) return
    const exportId = crypto.randomUUID()
    setPhase({ kind: 'running', exportId, done: 0, total: null, cancelling: false })
    const result = await api.exportInvites({ ...options, exportId })
    if (!mounted.current) return
    if (result.ok) {
      // The dialog says where the file went; a toast as well would report one export twice.
      setPhase({ kind: 'done', outcome: result.value })
    } else if (result.error.code === 'cancelled') {
      setPhase({ kind: 'options' })
    } else {
      setPhase({ kind: 'failed', error: result.error })
    }
  }

  const cancel = (): void => {
    if (phase.kind !== 'running') return
    setPhase({ ...phase, cancelling: true })
    void api.cancelOperation({ operationId: phase.exportId })
  }

  const current = preview?.key === previewKey ? preview : null
  const failure = phase.kind === 'failed' ? phase.error : null
  // The main process checks the base DN; its words go beside the field, from the preview or the export.
  const baseDnError = format === 'ldif' ? (fieldError(current?.error, 'ldifBaseDn') ?? fieldError(failure, 'ldifBaseDn') ?? null) : null
  const blocked = format === 'ldif' && baseDnError !== null

  return (
    <>
      <DrawerHeader
        title={title}
        description="Rolekeeper asks where to save the file. Invite links are built from the invite URL template in Settings."
        closeButton={phase.kind === 'options' || phase.kind === 'failed'}
      />
      <DrawerBody>
        {phase.kind === 'options' || phase.kind === 'failed' ? (
          <div className="drawer-fields">
            {scopes.length > 1 ? (
              <fieldset className="drawer-fieldset">
                <legend>What to export</legend>
                {scopes.map((option, index) => (
                  <label key={option.label} className="drawer-check">
                    <input type="radio" name={`${ID}-scope`} checked={choice === index} onChange={() => setChoice(index)} />
                    {option.label}
                  </label>
                ))}
              </fieldset>
            ) : (
              <p className="export-scope">{scopes[0]?.label}</p>
            )}
            <FormatChoice format={format} onChange={setFormat} />
            {format === 'csv' ? (
              <label className="drawer-check">
                <input type="checkbox" checked={bom} onChange={(event) => setBom(event.target.checked)} />
                Start with a byte order mark, so Excel reads the file as UTF-8
              </label>
            ) : null}
            {format === 'ldif' ? (
              <div className="drawer-field">
                <label htmlFor={`${ID}-base-dn`}>Base DN</label>
                <p id={`${ID}-base-dn-hint`} className="drawer-hint">
                  Where the entries go: people under ou=people and roles under ou=groups of it, e.g. dc=example,dc=org.
                </p>
                <input
                  id={`${ID}-base-dn`}
                  type="text"
                  className="mono"
                  spellCheck={false}
                  value={chosenBaseDn}
                  aria-invalid={baseDnError ? true : undefined}
                  aria-describedby={`${ID}-base-dn-hint${baseDnError ? ` ${ID}-base-dn-error` : ''}`}
                  onChange={(event) => setBaseDn(event.target.value)}
                />
                {baseDnError ? (
                  <p id={`${ID}-base-dn-error`} className="field-error">
                    {baseDnError}
                  </p>
                ) : null}
              </div>
            ) : null}
            {format === 'keycloak' ? (
              <div className="drawer-field">
                <label htmlFor={`${ID}-if-exists`}>When Keycloak already has a user or role</label>
                <select id={`${ID}-if-exists`} value={chosenIfExists} onChange={(event) => setIfExists(ifExistsOf(event.target.value))}>
                  {KEYCLOAK_IF_EXISTS.map((value) => (
                    <option key={value} value={value}>
                      {IF_EXISTS_WORDS[value]}
                    </option>
                  ))}
                </select>
              </div>
            ) : null}
            <ExportSummary
              preview={current?.value ?? null}
              error={baseDnError ? null : (current?.error ?? null)}
              target={info.label}
              invites={scope?.kind !== 'users'}
              carriesInvites={info.carriesInvites}
              expired={expired}
              onExpired={setExpired}
              leaveOutRefused={leaveOutRefused}
              onLeaveOutRefused={setLeaveOutRefused}
            />
            {failure && !baseDnError ? (
              <div className="drawer-callout drawer-callout--danger" role="alert">
                {describeError(failure)}
              </div>
            ) : null}
          </div>
        ) : null}
        {phase.kind === 'running' ? <Progress done={phase.done} total={phase.total} cancelling={phase.cancelling} /> : null}
        {phase.kind === 'done' ? (
          <div className="saved-file">
            <p className="export-done" role="status">
              Saved {plural(phase.outcome.rows, 'row', 'rows')} to <span className="mono">{phase.outcome.path}</span>
              {phase.outcome.download ? ' (see your browser’s downloads).' : '.'}
            </p>
            <ShowInFolderButton savedFileId={phase.outcome.savedFileId} className="drawer-button" />
          </div>
        ) : null}
      </DrawerBody>
      <DrawerFooter>
        {phase.kind === 'running' ? (
          <button type="button" className="drawer-button" disabled={phase.cancelling} onClick={cancel}>
            Cancel
          </button>
        ) : phase.kind === 'done' ? (
          <button type="button" className="drawer-button drawer-button--primary" onClick={close}>
            Close
          </button>
        ) : (
          <>
            <button type="button" className="drawer-button" onClick={close}>
              Cancel
            </button>
            <button
              type="button"
              className="drawer-button drawer-button--primary"
              data-autofocus
              disabled={blocked}
              onClick={() => void start()}
            >
              Export
            </button>
          </>
        )}
      </DrawerFooter>
    </>
  )
}

const ifExistsOf = (value: string): KeycloakIfExists => KEYCLOAK_IF_EXISTS.find((choice) => choice === value) ?? 'SKIP'

/** Rolekeeper's own lists first, then the hand-off formats, each with one line saying where it goes. */
function FormatChoice({ format, onChange }: { format: ExportFormat; onChange(format: ExportFormat): void }) {
  const id = useId()
  const group = (handoff: boolean) =>
    EXPORT_FORMATS.filter((value) => EXPORT_FORMAT_INFO[value].handoff === handoff).map((value) => (
      <div key={value} className="export-format">
        <label className="drawer-check">
          <input
            type="radio"
            name={`${ID}-format`}
            checked={format === value}
            aria-describedby={`${id}-${value}`}
            onChange={() => onChange(value)}
          />
          {EXPORT_FORMAT_INFO[value].label}
        </label>
        <p id={`${id}-${value}`} className="drawer-hint export-format-destination">
          {EXPORT_FORMAT_INFO[value].destination}
        </p>
      </div>
    ))
  return (
    <fieldset className="drawer-fieldset export-formats">
      <legend>Format</legend>
      <div className="export-format-group">
        <p className="export-formats-heading">Lists</p>
        {group(false)}
      </div>
      <div className="export-format-group">
        <p className="export-formats-heading">Sign-in systems</p>
        {group(true)}
      </div>
    </fieldset>
  )
}

interface SummaryProps {
  preview: ExportPreview | null
  error: ApiError | null
  target: string
  invites: boolean
  carriesInvites: boolean
  expired: ExpiredInviteChoice
  onExpired(choice: ExpiredInviteChoice): void
  leaveOutRefused: boolean
  onLeaveOutRefused(leave: boolean): void
}

/** What the file will hold: how many users, expired invites and what the target will refuse. */
function ExportSummary({
  preview,
  error,
  target,
  invites,
  carriesInvites,
  expired,
  onExpired,
  leaveOutRefused,
  onLeaveOutRefused
}: SummaryProps) {
  if (error) return <p className="muted">{describeError(error)}</p>
  if (!preview) return <p className="muted">Counting what the file will hold…</p>
  const { refusals } = preview
  const refused = refusals.users + refusals.roles
  return (
    <section className="export-summary" aria-label="What the file will hold">
      <p>
        {plural(preview.total, 'user', 'users')}
        {invites && preview.expiredInvites > 0 ? `, ${formatCount(preview.expiredInvites)} of them with an expired invite` : ''}.
      </p>
      {preview.expiredInvites > 0 ? (
        invites ? (
          <fieldset className="drawer-fieldset">
            <legend>
              {plural(preview.expiredInvites, 'invite has', 'invites have')} expired: such links no longer work and are never exported as
              pending
            </legend>
            <label className="drawer-check">
              <input type="radio" name={`${ID}-expired`} checked={expired === 'renew'} onChange={() => onExpired('renew')} />
              Renew them (a new link and expiry, as Resend) and export them
            </label>
            <label className="drawer-check">
              <input type="radio" name={`${ID}-expired`} checked={expired === 'leave_out'} onChange={() => onExpired('leave_out')} />
              Leave them out
            </label>
          </fieldset>
        ) : carriesInvites ? (
          <p className="drawer-hint">
            {plural(preview.expiredInvites, 'user has', 'users have')} an expired invite: the file marks them as expired.
          </p>
        ) : null
      ) : null}
      {refused > 0 ? (
        <div className="drawer-callout drawer-callout--warning">
          <p>
            {target} will refuse{' '}
            {[refusals.users > 0 && plural(refusals.users, 'user', 'users'), refusals.roles > 0 && plural(refusals.roles, 'role', 'roles')]
              .filter(Boolean)
              .join(' and ')}
            :
          </p>
          <ul className="export-refusals" aria-label={`What ${target} will refuse`}>
            {refusals.listed.map((refusal) => (
              <li key={`${refusal.kind}:${refusal.label}`}>
                <span className="mono">{refusal.label}</span>: {refusal.reason}
              </li>
            ))}
            {refused > refusals.listed.length ? <li>… and {formatCount(refused - refusals.listed.length)} more</li> : null}
          </ul>
          {refusals.users > 0 ? (
            <label className="drawer-check">
              <input type="checkbox" checked={leaveOutRefused} onChange={(event) => onLeaveOutRefused(event.target.checked)} />
              Leave out the {plural(refusals.users, 'user', 'users')} {target} will refuse
            </label>
          ) : null}
        </div>
      ) : null}
    </section>
  )
}

function Progress({ done, total, cancelling }: { done: number; total: number | null; cancelling: boolean }) {
  const known = total !== null && total > 0
  return (
    <div className="export-progress">
      <p id={`${ID}-progress-label`}>
        {cancelling
          ? 'Cancelling…'
          : known
            ? `Exported ${formatCount(done)} of ${formatCount(total)} rows`
            : desktopShell()
              ? 'Choose where to save the file; the export starts when you do.'
              : 'Starting the export…'}
      </p>
      <progress
        aria-labelledby={`${ID}-progress-label`}
        className="progress"
        max={known ? total : undefined}
        value={known ? done : undefined}
      />
    </div>
  )
}
