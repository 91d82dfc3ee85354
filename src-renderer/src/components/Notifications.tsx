import * as Toast from '@radix-ui/react-toast'
import { useNotifications, VISIBLE_MS, type Notification } from '../state/notifications'
import { Icon } from './Icon'
import { escapeTopOverlay } from './overlayEscape'

const TONE_ICONS: Record<Notification['tone'], string> = { success: 'check_circle', info: 'info', error: 'error' }

function NotificationToast({ item }: { item: Notification }) {
  const dismiss = useNotifications((state) => state.dismiss)
  return (
    <Toast.Root
      className={`toast toast--${item.tone}`}
      type="background"
      duration={VISIBLE_MS[item.tone]}
      onOpenChange={(open) => {
        if (!open) dismiss(item.id)
      }}
      onEscapeKeyDown={(event) => {
        // Esc pressed in a dialog under this toast belongs to the dialog; on the toast itself it closes the toast.
        const inToast = event.target instanceof Element && event.target.closest('.toast') !== null
        if (!inToast && escapeTopOverlay()) event.preventDefault()
      }}
    >
      <Icon name={TONE_ICONS[item.tone]} className="toast-icon" />
      <Toast.Description className="toast-message">{item.message}</Toast.Description>
      <Toast.Close className="icon-button toast-close" aria-label="Dismiss">
        <Icon name="close" />
      </Toast.Close>
    </Toast.Root>
  )
}

/**
 * Results and errors as toasts (Radix Toast): announced politely, paused while hovered or
 * focused, at the foot of the sidebar and narrowed beside an open dialog so they never cover its
 * buttons (styles/base.css). The viewport is a dismissable-layer branch, so clicking a toast is
 * not a click outside the dialog; its `aria-live` keeps it out of what a modal hides.
 */
export function Notifications() {
  const items = useNotifications((state) => state.items)
  return (
    <Toast.Provider label="Notification" swipeDirection="left">
      {items.map((item) => (
        <NotificationToast key={item.id} item={item} />
      ))}
      <div className="toast-dock">
        <Toast.Viewport className="toast-list" aria-live="off" />
      </div>
    </Toast.Provider>
  )
}
