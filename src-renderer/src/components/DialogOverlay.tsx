/**
 * The dim layer under a dialog or drawer, in place of Radix's `Dialog.Overlay`. That one locks
 * the page's scrolling through react-remove-scroll-bar, which adds a `<style>` element to the
 * document each time a dialog opens; the app's Content-Security-Policy (`style-src 'self'`)
 * refuses it, so every dialog logged a CSP error. The page never scrolls as a whole (only
 * `.main` does, and the overlay covers it), so there is nothing to lock: a plain layer does.
 * Rendered inside `Dialog.Portal`, which mounts and unmounts it with the dialog.
 */
export function DialogOverlay({ className, open }: { className: string; open: boolean }) {
  return <div className={className} data-state={open ? 'open' : 'closed'} aria-hidden="true" />
}
