import { create } from 'zustand'

export type NotificationTone = 'success' | 'error' | 'info'

export interface Notification {
  id: number
  tone: NotificationTone
  message: string
}

interface NotificationsState {
  items: Notification[]
  dismiss: (id: number) => void
}

/** How long a toast stays when nobody hovers or focuses it (the toast component pauses it then). */
export const VISIBLE_MS: Record<NotificationTone, number> = { success: 6000, info: 6000, error: 10000 }
const MAX_VISIBLE = 3

let nextId = 1

export const useNotifications = create<NotificationsState>()((set) => ({
  items: [],
  dismiss: (id) => set((state) => ({ items: state.items.filter((item) => item.id !== id) }))
}))

/**
 * Show a result or an error as a toast; it goes away by itself. The same words already on screen
 * are shown once, as one outcome, and start their time again.
 */
export function notify(notification: { tone: NotificationTone; message: string }): void {
  const item: Notification = { id: nextId++, ...notification }
  useNotifications.setState((state) => ({
    items: [...state.items.filter((shown) => shown.message !== item.message || shown.tone !== item.tone), item].slice(-MAX_VISIBLE)
  }))
}
