/**
 * The dialogs and drawers that are open, innermost last, each with what Esc does to it.
 *
 * Radix lets only the topmost dismissable layer see Esc, and a toast that appears while a dialog
 * is open is such a layer: it would take Esc for itself and the dialog would stop closing. The
 * toast hands Esc to the dialog it appeared over through `escapeTopOverlay` instead.
 */
import { useEffect, useRef } from 'react'

const open: Array<{ escape(): void }> = []

/** While `isOpen`, Esc from a toast above does `onEscape` (what Esc in the overlay itself does). */
export function useOverlayEscape(isOpen: boolean, onEscape: () => void): void {
  const latest = useRef(onEscape)
  useEffect(() => {
    latest.current = onEscape
  })
  useEffect(() => {
    if (!isOpen) return
    const entry = { escape: () => latest.current() }
    open.push(entry)
    return () => {
      const index = open.indexOf(entry)
      if (index >= 0) open.splice(index, 1)
    }
  }, [isOpen])
}

/** Esc for the innermost open overlay; false when none is open. */
export function escapeTopOverlay(): boolean {
  const top = open.at(-1)
  if (!top) return false
  top.escape()
  return true
}
