import { useEffect, useRef, useState } from 'react'
import type { ApiError, ExportFormat, ExportOutcome, ExportScope } from '../../../src-main/ipc/contract'
import { api } from '../api'
import { describeError } from '../errors'
import { formatCount, plural } from '../format'
import { desktopShell } from '../shell'
import { notify } from '../state/notifications'
import { Drawer, DrawerBody, DrawerFooter, DrawerHeader, useDrawerClose } from './Drawer'

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

const ID = 'export'

/** An invite list or user export: the main process asks where to save it (the browser host downloads it). */
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
  const [phase, setPhase] = useState<Phase>({ kind: 'options' })
  const running = phase.kind === 'running' ? phase.exportId : null
  const mounted = useRef(true)

  useEffect(() => {
    mounted.current = true
    return () => {
      mounted.current = false
    }
  }, [])

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
    const selected = scopes[choice]
    if (!selected) return
    const exportId = crypto.randomUUID()
    setPhase({ kind: 'running', exportId, done: 0, total: null, cancelling: false })
    const result = await api.exportInvites({ exportId, scope: selected.scope, format, bom: format === 'csv' && bom })
    if (!mounted.current) return
    if (result.ok) {
      setPhase({ kind: 'done', outcome: result.value })
      notify({ tone: 'success', message: `Exported ${plural(result.value.rows, 'row', 'rows')} to ${result.value.path}.` })
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
            <fieldset className="drawer-fieldset">
              <legend>Format</legend>
              <label className="drawer-check">
                <input type="radio" name={`${ID}-format`} checked={format === 'csv'} onChange={() => setFormat('csv')} />
                CSV (spreadsheets)
              </label>
              <label className="drawer-check">
                <input type="radio" name={`${ID}-format`} checked={format === 'json'} onChange={() => setFormat('json')} />
                JSON (an array of objects)
              </label>
            </fieldset>
            {format === 'csv' ? (
              <label className="drawer-check">
                <input type="checkbox" checked={bom} onChange={(event) => setBom(event.target.checked)} />
                Start with a byte order mark, so Excel reads the file as UTF-8
              </label>
            ) : null}
            {phase.kind === 'failed' ? (
              <div className="drawer-callout drawer-callout--danger" role="alert">
                {describeError(phase.error)}
              </div>
            ) : null}
          </div>
        ) : null}
        {phase.kind === 'running' ? <Progress done={phase.done} total={phase.total} cancelling={phase.cancelling} /> : null}
        {phase.kind === 'done' ? (
          <p className="export-done" role="status">
            Saved {plural(phase.outcome.rows, 'row', 'rows')} to <span className="mono">{phase.outcome.path}</span>
            {phase.outcome.download ? ' (see your browser’s downloads).' : '.'}
          </p>
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
            <button type="button" className="drawer-button drawer-button--primary" data-autofocus onClick={() => void start()}>
              Export
            </button>
          </>
        )}
      </DrawerFooter>
    </>
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
