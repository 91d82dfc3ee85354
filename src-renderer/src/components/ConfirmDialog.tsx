import { useRef, type ReactNode } from 'react'
import { ModalDialog } from './ModalDialog'

export interface ConfirmDialogProps {
  open: boolean
  title: string
  description: ReactNode
  confirmLabel: string
  cancelLabel?: string
  /** Danger styling for a confirmation that loses data. */
  destructive?: boolean
  busy?: boolean
  onConfirm: () => void
  onCancel: () => void
  children?: ReactNode
}

/** A question with two answers; the safe answer has the focus. */
export function ConfirmDialog({
  open,
  title,
  description,
  confirmLabel,
  cancelLabel = 'Cancel',
  destructive = false,
  busy = false,
  onConfirm,
  onCancel,
  children
}: ConfirmDialogProps) {
  const cancelButton = useRef<HTMLButtonElement>(null)
  return (
    <ModalDialog
      open={open}
      onOpenChange={(next) => {
        if (!next) onCancel()
      }}
      title={title}
      description={description}
      role="alertdialog"
      initialFocus={() => cancelButton.current}
      onSubmit={onConfirm}
      footer={
        <>
          <button type="button" className="button" ref={cancelButton} onClick={onCancel}>
            {cancelLabel}
          </button>
          <button type="submit" className={destructive ? 'button button--danger' : 'button button--primary'} disabled={busy}>
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
    </ModalDialog>
  )
}
