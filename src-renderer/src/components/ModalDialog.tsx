import * as Dialog from '@radix-ui/react-dialog'
import { useRef, type FormEvent, type ReactNode } from 'react'
import { DialogOverlay } from './DialogOverlay'
import { useOverlayEscape } from './overlayEscape'

export interface ModalDialogProps {
  open: boolean
  onOpenChange: (open: boolean) => void
  title: string
  description?: ReactNode
  /** When given, body and footer form one form, so Enter submits it. */
  onSubmit?: () => void
  footer: ReactNode
  children?: ReactNode
  /** `alertdialog` for questions that interrupt (unsaved changes, deleting). */
  role?: 'dialog' | 'alertdialog'
  initialFocus?: () => HTMLElement | null
}

/** A centred modal on Radix Dialog: focus trapped, Esc closes, focus returns to whatever opened it. */
export function ModalDialog({
  open,
  onOpenChange,
  title,
  description,
  onSubmit,
  footer,
  children,
  role = 'dialog',
  initialFocus
}: ModalDialogProps) {
  const opener = useRef<HTMLElement | null>(null)
  useOverlayEscape(open, () => onOpenChange(false))

  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault()
    // React sends a submit up through the portal: a dialog asked from a drawer's form must not submit that form too.
    event.stopPropagation()
    onSubmit?.()
  }

  const inner = (
    <>
      {children ? <div className="dialog-body">{children}</div> : null}
      <div className="dialog-footer">{footer}</div>
    </>
  )

  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <DialogOverlay className="dialog-overlay" open={open} />
        <Dialog.Content
          className="dialog"
          role={role}
          {...(description ? {} : { 'aria-describedby': undefined })}
          onOpenAutoFocus={(event) => {
            // Radix gives focus back only to a Dialog.Trigger; our openers live elsewhere.
            opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null
            const target = initialFocus?.()
            if (target) {
              event.preventDefault()
              target.focus()
            }
          }}
          onCloseAutoFocus={(event) => {
            const target = opener.current
            if (target && target.isConnected) {
              event.preventDefault()
              target.focus()
            }
          }}
        >
          <Dialog.Title className="dialog-title">{title}</Dialog.Title>
          {description ? <Dialog.Description className="dialog-description">{description}</Dialog.Description> : null}
          {onSubmit ? (
            <form className="dialog-form" onSubmit={submit} noValidate>
              {inner}
            </form>
          ) : (
            inner
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  )
}
