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

const VISIBLE_MS: Record<NotificationTone, number> = { success: 5000, info: 5000, error: 12000 }
const MAX_VISIBLE = 4

let nextId = 1

export const useNotifications = create<NotificationsState>()((set) => ({
  items: [],
  dismiss: (id) => set((state) => ({ items: state.items.filter((item) => item.id !== id) }))
}))

/** Show a result or an error in the notification area; it goes away by itself. */
export function notify(notification: { tone: NotificationTone; message: string }): void {
  const item: Notification = { id: nextId++, ...notification }
  useNotifications.setState((state) => ({ items: [...state.items, item].slice(-MAX_VISIBLE) }))
  setTimeout(() => useNotifications.getState().dismiss(item.id), VISIBLE_MS[item.tone])
}
