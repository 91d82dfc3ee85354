import { useNotifications, type Notification } from '../state/notifications'
import { Icon } from './Icon'

const TONE_ICONS: Record<Notification['tone'], string> = { success: 'check_circle', info: 'info', error: 'error' }

function Toast({ item }: { item: Notification }) {
  const dismiss = useNotifications((state) => state.dismiss)
  return (
    <div className={`toast toast--${item.tone}`}>
      <Icon name={TONE_ICONS[item.tone]} className="toast-icon" />
      <p className="toast-message">{item.message}</p>
      <button type="button" className="icon-button toast-close" aria-label="Dismiss" onClick={() => dismiss(item.id)}>
        <Icon name="close" />
      </button>
    </div>
  )
}

/** Results and errors: polite for results, assertive for errors. Both regions always exist so they are announced. */
export function Notifications() {
  const items = useNotifications((state) => state.items)
  return (
    <section className="toasts" aria-label="Notifications">
      <div role="status" aria-live="polite" className="toast-region">
        {items
          .filter((item) => item.tone !== 'error')
          .map((item) => (
            <Toast key={item.id} item={item} />
          ))}
      </div>
      <div role="alert" className="toast-region">
        {items
          .filter((item) => item.tone === 'error')
          .map((item) => (
            <Toast key={item.id} item={item} />
          ))}
      </div>
    </section>
  )
}
