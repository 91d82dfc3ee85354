import { useEffect, useRef, useState } from 'react'
import { api } from '../api'

export interface RunningOperation {
  operationId: string
  /** Null until the first report arrives ("Working…" until then). */
  done: number | null
  total: number | null
  cancelling: boolean
}

/**
 * A long import or invite the page started with an `operationId`: the progress the desktop
 * sends for it, and Cancel (`cancelOperation`, which rolls it back whole). Leaving the dialog
 * while it runs cancels it too.
 */
export function useOperation(): {
  running: RunningOperation | null
  start(): string
  finish(): void
  cancel(): void
} {
  const [running, setRunning] = useState<RunningOperation | null>(null)
  const current = useRef<string | null>(null)
  const id = running?.operationId ?? null

  useEffect(() => {
    if (!id) return
    const stop = window.rolekeeperShell?.onProgress?.((progress) => {
      if (progress.operationId !== id) return
      setRunning((shown) => (shown?.operationId === id ? { ...shown, done: progress.done, total: progress.total } : shown))
    })
    return () => stop?.()
  }, [id])

  useEffect(
    () => () => {
      if (current.current) void api.cancelOperation({ operationId: current.current })
    },
    []
  )

  return {
    running,
    start() {
      const operationId = crypto.randomUUID()
      current.current = operationId
      setRunning({ operationId, done: null, total: null, cancelling: false })
      return operationId
    },
    finish() {
      current.current = null
      setRunning(null)
    },
    cancel() {
      const operationId = current.current
      if (!operationId) return
      setRunning((shown) => (shown ? { ...shown, cancelling: true } : shown))
      void api.cancelOperation({ operationId })
    }
  }
}

/** The bar of a running operation: a percentage once progress arrives, "Working…" before. */
export function OperationProgress({ id, running, label }: { id: string; running: RunningOperation; label: string }) {
  const { done, total, cancelling } = running
  const percent = done !== null && total !== null && total > 0 ? Math.min(100, Math.round((done / total) * 100)) : null
  return (
    <div className="export-progress">
      <p id={`${id}-progress-label`}>{cancelling ? 'Cancelling…' : percent === null ? 'Working…' : `${label}: ${percent}%`}</p>
      <progress
        aria-labelledby={`${id}-progress-label`}
        className="progress"
        max={100}
        value={percent ?? undefined}
        aria-valuenow={percent ?? undefined}
      />
    </div>
  )
}
