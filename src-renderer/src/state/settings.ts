import { create } from 'zustand'
import type { ApiError, CallInput, Settings, Theme } from '../../../src-main/ipc/contract'
import { api } from '../api'

interface SettingsState {
  settings: Settings | null
  error: ApiError | null
  load: () => Promise<Settings | null>
  /** Saves a change and, on success, applies what was saved (the theme at once). */
  update: (patch: CallInput<'updateSettings'>) => Promise<{ ok: true; settings: Settings } | { ok: false; error: ApiError }>
  /** Shows the theme at once and saves it; the previous one comes back if saving fails. */
  chooseTheme: (theme: Theme) => Promise<{ ok: true } | { ok: false; error: ApiError }>
}

/** Pins the theme on the document, or lets it follow the operating system. */
export function applyTheme(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme
  else document.documentElement.dataset.theme = theme
}

export const useSettings = create<SettingsState>()((set, get) => ({
  settings: null,
  error: null,
  load: async () => {
    const result = await api.getSettings()
    if (!result.ok) {
      set({ error: result.error })
      return null
    }
    set({ settings: result.value, error: null })
    applyTheme(result.value.theme)
    return result.value
  },
  update: async (patch) => {
    const result = await api.updateSettings(patch)
    if (!result.ok) return { ok: false, error: result.error }
    set({ settings: result.value, error: null })
    applyTheme(result.value.theme)
    return { ok: true, settings: result.value }
  },
  chooseTheme: async (theme) => {
    const previous = get().settings
    if (previous) set({ settings: { ...previous, theme } })
    applyTheme(theme)
    const result = await get().update({ theme })
    if (result.ok) return { ok: true }
    if (previous) {
      set({ settings: previous })
      applyTheme(previous.theme)
    }
    return result
  }
}))
