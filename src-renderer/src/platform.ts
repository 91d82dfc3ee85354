/** macOS names its modifier ⌘ (Command) where other systems say Ctrl; shortcuts accept either. */
export const isMac = /Mac|iPhone|iPad/.test(navigator.userAgent)

export const MOD_KEY_LABEL = isMac ? '⌘' : 'Ctrl'
