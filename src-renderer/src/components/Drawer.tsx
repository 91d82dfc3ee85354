import * as Dialog from '@radix-ui/react-dialog'
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { DialogOverlay } from './DialogOverlay'
import '../styles/drawers.css'
import { useOverlayEscape } from './overlayEscape'

export interface DrawerProps {
  open: boolean
  onOpenChange(open: boolean): void
  /** `side` slides in from the right at full height; `center` is a modal dialog. */
  placement?: 'side' | 'center'
  className?: string
  /** Mounted only while the drawer is open, so every opening starts from a clean form. */
  children: ReactNode
}

interface DrawerControls {
  /** Close as Esc would: asks first when the content has declared unsaved edits. */
  requestClose(): void
  /** Close without asking (after the edits were used). */
  close(): void
  markDirty(dirty: boolean): void
}

const DrawerContext = createContext<DrawerControls | null>(null)

function useDrawerControls(): DrawerControls {
  const controls = useContext(DrawerContext)
  if (!controls) throw new Error('Drawer parts must be rendered inside a Drawer')
  return controls
}

/**
 * The shell of every side drawer and dialog: an overlay, focus kept inside, Esc and outside
 * clicks close it — asking first while it holds edits — and focus goes back to the opener.
 * The content lays itself out with DrawerHeader, DrawerBody and DrawerFooter.
 */
export function Drawer({ open, onOpenChange, placement = 'side', className, children }: DrawerProps) {
  const [confirmingDiscard, setConfirmingDiscard] = useState(false)
  const opener = useRef<HTMLElement | null>(null)
  const dirtyRef = useRef(false)

  const controls = useMemo<DrawerControls>(
    () => ({
      requestClose: () => {
        if (dirtyRef.current) setConfirmingDiscard(true)
        else onOpenChange(false)
      },
      close: () => onOpenChange(false),
      markDirty: (dirty) => {
        dirtyRef.current = dirty
      }
    }),
    [onOpenChange]
  )
  useOverlayEscape(open, controls.requestClose)

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        if (next) onOpenChange(true)
        else controls.requestClose()
      }}
    >
      <Dialog.Portal>
        <DialogOverlay className="drawer-overlay" open={open} />
        <Dialog.Content
          className={['drawer', `drawer--${placement}`, className].filter(Boolean).join(' ')}
          onOpenAutoFocus={(event) => {
            // Radix gives focus back only to a Dialog.Trigger; our openers live elsewhere.
            opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null
            const content = event.currentTarget instanceof HTMLElement ? event.currentTarget : null
            const first = content?.querySelector<HTMLElement>('[data-autofocus]')
            if (first) {
              event.preventDefault()
              first.focus()
            }
          }}
          onCloseAutoFocus={(event) => {
            event.preventDefault()
            const target = opener.current
            opener.current = null
            if (target?.isConnected) target.focus()
          }}
        >
          <DrawerContext.Provider value={controls}>{children}</DrawerContext.Provider>
          <DiscardConfirm
            open={confirmingDiscard}
            onKeepEditing={() => setConfirmingDiscard(false)}
            onDiscard={() => {
              setConfirmingDiscard(false)
              dirtyRef.current = false
              onOpenChange(false)
            }}
          />
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  )
}

/** Declares whether the drawer holds edits that closing it would lose. */
export function useDrawerDirty(isDirty: boolean): void {
  const { markDirty } = useDrawerControls()
  useEffect(() => {
    markDirty(isDirty)
    return () => markDirty(false)
  }, [markDirty, isDirty])
}

/** Closing from the content: `requestClose` asks about edits, `close` does not. */
export function useDrawerClose(): Pick<DrawerControls, 'requestClose' | 'close'> {
  const { requestClose, close } = useDrawerControls()
  return { requestClose, close }
}

export function DrawerHeader({
  title,
  description,
  closeButton = true
}: {
  title: string
  description: ReactNode
  /** Off for steps whose footer already offers Close. */
  closeButton?: boolean
}) {
  const { requestClose } = useDrawerControls()
  return (
    <header className="drawer-header">
      <div className="drawer-heading">
        <Dialog.Title className="drawer-title">{title}</Dialog.Title>
        <Dialog.Description className="drawer-description">{description}</Dialog.Description>
      </div>
      {closeButton ? (
        <button type="button" className="drawer-icon-button" aria-label="Close" onClick={requestClose}>
          <CloseIcon />
        </button>
      ) : null}
    </header>
  )
}

export function DrawerBody({ children }: { children: ReactNode }) {
  return <div className="drawer-body">{children}</div>
}

export function DrawerFooter({ children }: { children: ReactNode }) {
  return <div className="drawer-footer">{children}</div>
}

function DiscardConfirm({ open, onKeepEditing, onDiscard }: { open: boolean; onKeepEditing(): void; onDiscard(): void }) {
  const returnTo = useRef<HTMLElement | null>(null)
  const discarding = useRef(false)
  useOverlayEscape(open, onKeepEditing)
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        if (!next) onKeepEditing()
      }}
    >
      <Dialog.Portal>
        <DialogOverlay className="drawer-overlay drawer-overlay--confirm" open={open} />
        <Dialog.Content
          role="alertdialog"
          className="drawer drawer--confirm"
          onOpenAutoFocus={() => {
            discarding.current = false
            returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null
          }}
          onCloseAutoFocus={(event) => {
            event.preventDefault()
            // After Discard the drawer closes too and hands focus back to its own opener.
            if (!discarding.current && returnTo.current?.isConnected) returnTo.current.focus()
            returnTo.current = null
          }}
        >
          <div className="drawer-confirm-body">
            <Dialog.Title className="drawer-title">Discard changes?</Dialog.Title>
            <Dialog.Description className="drawer-description">
              What you entered here has not been added yet and will be lost.
            </Dialog.Description>
          </div>
          <div className="drawer-footer">
            <button type="button" className="drawer-button" onClick={onKeepEditing}>
              Keep editing
            </button>
            <button
              type="button"
              className="drawer-button drawer-button--danger"
              onClick={() => {
                discarding.current = true
                onDiscard()
              }}
            >
              Discard changes
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  )
}

export function CloseIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path d="M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z" fill="currentColor" />
    </svg>
  )
}

export function WarningIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path d="M1 21h22L12 2zm12-3h-2v-2h2zm0-4h-2v-4h2z" fill="currentColor" />
    </svg>
  )
}

/** The attributes that tie a field to its hint and its error, so both are announced with it. */
export function fieldProps(id: string, error: string | undefined, hintId?: string) {
  const describedBy = [hintId, error ? `${id}-error` : undefined].filter(Boolean).join(' ')
  return {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy || undefined
  } as const
}

export function FieldError({ id, error }: { id: string; error: string | undefined }) {
  if (!error) return null
  return (
    <p id={`${id}-error`} className="drawer-field-error">
      {error}
    </p>
  )
}
