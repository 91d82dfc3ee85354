import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react'
import { Icon } from './Icon'

interface SaveActionsProps {
  dirty: boolean
  saving: boolean
  onSave: () => void
  onSaveAndStay: () => void
  onDiscard: () => void
}

/** Save, with a menu button beside it for Save and stay / Discard all changes (Directus' split button). */
export function SaveActions({ dirty, saving, onSave, onSaveAndStay, onDiscard }: SaveActionsProps) {
  const [menuWanted, setOpen] = useState(false)
  // Nothing to save or discard: the menu has nothing to offer.
  const open = menuWanted && dirty
  const toggle = useRef<HTMLButtonElement>(null)
  const saveButton = useRef<HTMLButtonElement>(null)
  const canSave = dirty && !saving
  const menu = useRef<HTMLDivElement>(null)
  const menuId = useId()

  const items = (): HTMLElement[] => Array.from(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])

  useEffect(() => {
    if (!open) return
    items()[0]?.focus()
    const onPointerDown = (event: PointerEvent): void => {
      const target = event.target
      if (target instanceof Node && (menu.current?.contains(target) || toggle.current?.contains(target))) return
      setOpen(false)
    }
    document.addEventListener('pointerdown', onPointerDown)
    return () => document.removeEventListener('pointerdown', onPointerDown)
  }, [open])

  const close = (refocus: boolean): void => {
    setOpen(false)
    if (refocus) toggle.current?.focus()
  }

  // The toggle is disabled once nothing is left to save; Save stays focusable, so focus waits there.
  const choose = (action: () => void): void => {
    close(false)
    saveButton.current?.focus()
    action()
  }

  const onMenuKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const list = items()
    const index = list.findIndex((item) => item === document.activeElement)
    const focusAt = (next: number): void => list[(next + list.length) % list.length]?.focus()
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault()
        focusAt(index + 1)
        break
      case 'ArrowUp':
        event.preventDefault()
        focusAt(index - 1)
        break
      case 'Home':
        event.preventDefault()
        focusAt(0)
        break
      case 'End':
        event.preventDefault()
        focusAt(list.length - 1)
        break
      case 'Escape':
        event.preventDefault()
        event.stopPropagation()
        close(true)
        break
      case 'Tab':
        close(false)
        break
    }
  }

  const onToggleKeyDown = (event: KeyboardEvent<HTMLButtonElement>): void => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      setOpen(true)
    }
  }

  return (
    <div className="split-button">
      {/* aria-disabled, not disabled: a disabled button drops focus to the page when a save ends. */}
      <button
        type="button"
        ref={saveButton}
        className="button button--primary split-main"
        aria-disabled={!canSave}
        onClick={() => {
          if (canSave) onSave()
        }}
      >
        <Icon name="check" />
        {saving ? 'Saving…' : 'Save'}
      </button>
      <button
        type="button"
        ref={toggle}
        className="button button--primary split-toggle"
        aria-label="More save options"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        disabled={!dirty || saving}
        onClick={() => setOpen((was) => !was)}
        onKeyDown={onToggleKeyDown}
      >
        <Icon name="expand_more" />
      </button>
      {open ? (
        <div id={menuId} ref={menu} role="menu" aria-label="Save options" className="menu" onKeyDown={onMenuKeyDown}>
          <button type="button" role="menuitem" tabIndex={-1} className="menu-item" onClick={() => choose(onSaveAndStay)}>
            <Icon name="save" />
            Save and stay
          </button>
          <button type="button" role="menuitem" tabIndex={-1} className="menu-item menu-item--danger" onClick={() => choose(onDiscard)}>
            <Icon name="undo" />
            Discard all changes
          </button>
        </div>
      ) : null}
    </div>
  )
}
