import { recordActivity } from './activity'
import { DomainError } from './errors'
import { LIMITS, PASSWORD_POLICY_KINDS, THEMES, type PasswordPolicy, type PasswordPolicyKind, type Settings, type Theme } from './model'
import type { CheckPasswordInput, UpdateSettingsInput } from './inputs'
import type { SettingRow } from './db/schema'
import { compilePasswordPattern } from './rules'
import type { Store } from './store'

/** The settings that are stored; `passwordPolicyText` is derived from the policy. */
type StoredSettings = Omit<Settings, 'passwordPolicyText'>
type SettingKey = keyof StoredSettings

export const DEFAULT_SETTINGS: StoredSettings = {
  inviteUrlTemplate: null,
  inviteLifetimeDays: 7,
  passwordPolicy: { kind: 'min8', pattern: null },
  theme: 'system'
}

const SETTING_KEYS = Object.keys(DEFAULT_SETTINGS) as SettingKey[] // keys of a literal object

export const STRONG_MIN_LENGTH = 12
const MIN8_LENGTH = 8

/** The policy in words, shown before anyone types a password. */
export function passwordPolicyText(policy: PasswordPolicy): string {
  switch (policy.kind) {
    case 'none':
      return 'Any password that is not empty.'
    case 'min8':
      return `At least ${MIN8_LENGTH} characters.`
    case 'strong':
      return `At least ${STRONG_MIN_LENGTH} characters, with an upper-case letter, a lower-case letter, a digit and a symbol.`
    case 'custom':
      return `Must match the pattern ${policy.pattern ?? ''}`
  }
}

/** What is wrong with `password` under `policy`, or null when it is acceptable. */
export function passwordPolicyProblem(policy: PasswordPolicy, password: string): string | null {
  if (password.length === 0) return 'A password cannot be empty.'
  if (password.length > LIMITS.password) return `At most ${LIMITS.password} characters.`
  const length = [...password].length
  switch (policy.kind) {
    case 'none':
      return null
    case 'min8':
      return length >= MIN8_LENGTH ? null : `At least ${MIN8_LENGTH} characters are required.`
    case 'strong': {
      const missing = [
        length >= STRONG_MIN_LENGTH ? null : `at least ${STRONG_MIN_LENGTH} characters`,
        /\p{Lu}/u.test(password) ? null : 'an upper-case letter',
        /\p{Ll}/u.test(password) ? null : 'a lower-case letter',
        /\p{Nd}/u.test(password) ? null : 'a digit',
        /[^\p{L}\p{Nd}\s]/u.test(password) ? null : 'a symbol'
      ].filter((part): part is string => part !== null)
      return missing.length === 0 ? null : `The password needs ${joinWords(missing)}.`
    }
    case 'custom': {
      const pattern = customPattern(policy.pattern)
      if (!pattern) return 'The password policy is not usable: its pattern is not valid. Change it in Settings.'
      return pattern.test(password) ? null : `The password must match the pattern ${policy.pattern ?? ''}`
    }
  }
}

const compiledPatterns = new Map<string, RegExp | null>()

/** The custom pattern anchored to the whole password, or null when it does not compile. */
function customPattern(pattern: string | null): RegExp | null {
  if (!pattern) return null
  let compiled = compiledPatterns.get(pattern)
  if (compiled === undefined) {
    compiled = compilePasswordPattern(pattern)
    if (compiledPatterns.size > 50) compiledPatterns.clear()
    compiledPatterns.set(pattern, compiled)
  }
  return compiled
}

function joinWords(parts: string[]): string {
  if (parts.length <= 1) return parts.join('')
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1) ?? ''}`
}

// ---------------------------------------------------------------------------------------------
// Reading and writing the settings table

/** Each stored value is checked on the way out: a hand-edited or damaged row falls back to the default. */
const readers: { [K in SettingKey]: (value: unknown) => StoredSettings[K] | undefined } = {
  inviteUrlTemplate: (value) => (value === null || (typeof value === 'string' && value.includes('{token}')) ? value : undefined),
  inviteLifetimeDays: (value) => (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 365 ? value : undefined),
  passwordPolicy: (value) => {
    if (typeof value !== 'object' || value === null) return undefined
    const kind: unknown = 'kind' in value ? value.kind : undefined
    const pattern: unknown = 'pattern' in value ? value.pattern : null
    if (!isPolicyKind(kind)) return undefined
    if (pattern !== null && typeof pattern !== 'string') return undefined
    if (kind === 'custom' && !pattern) return undefined
    return { kind, pattern: kind === 'custom' ? pattern : null }
  },
  theme: (value) => (isTheme(value) ? value : undefined)
}

function isPolicyKind(value: unknown): value is PasswordPolicyKind {
  return PASSWORD_POLICY_KINDS.some((kind) => kind === value)
}

function isTheme(value: unknown): value is Theme {
  return THEMES.some((theme) => theme === value)
}

function readStoredSettings(store: Store): StoredSettings {
  const rows = store.prepare<SettingRow>('SELECT key, value FROM settings').all()
  const settings: StoredSettings = { ...DEFAULT_SETTINGS }
  for (const { key, value } of rows) {
    if (!isSettingKey(key)) continue
    let parsed: unknown
    try {
      parsed = JSON.parse(value)
    } catch {
      continue
    }
    assign(settings, key, parsed)
  }
  return settings
}

function assign<K extends SettingKey>(settings: StoredSettings, key: K, value: unknown): void {
  const read = readers[key](value)
  if (read !== undefined) settings[key] = read
}

function isSettingKey(key: string): key is SettingKey {
  return SETTING_KEYS.some((known) => known === key)
}

function withText(settings: StoredSettings): Settings {
  return { ...settings, passwordPolicyText: passwordPolicyText(settings.passwordPolicy) }
}

export function getSettings(store: Store): Settings {
  return withText(readStoredSettings(store))
}

export function updateSettings(store: Store, input: UpdateSettingsInput): Settings {
  return store.transaction(() => {
    const before = readStoredSettings(store)
    const after: StoredSettings = { ...before }
    if (input.inviteUrlTemplate !== undefined) after.inviteUrlTemplate = input.inviteUrlTemplate || null
    if (input.inviteLifetimeDays !== undefined) after.inviteLifetimeDays = input.inviteLifetimeDays
    if (input.passwordPolicy !== undefined) {
      const { kind, pattern } = input.passwordPolicy
      if (kind === 'custom' && customPattern(pattern) === null) {
        throw new DomainError('validation', 'The custom password pattern is not a valid regular expression', {
          'passwordPolicy.pattern': 'Not a valid regular expression'
        })
      }
      after.passwordPolicy = { kind, pattern: kind === 'custom' ? pattern : null }
    }
    if (input.theme !== undefined) after.theme = input.theme

    const changed = SETTING_KEYS.filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    if (changed.length === 0) return withText(after)

    const write = store.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
    for (const key of changed) write.run(key, JSON.stringify(after[key]))
    recordActivity(store, {
      action: 'settings.update',
      collection: 'settings',
      recordIds: changed,
      summary: `Changed ${changed.map(describeKey).join(', ')}`,
      before: activityImage(before, changed),
      after: activityImage(after, changed)
    })
    return withText(after)
  })
}

/** The changed settings as the log keeps them; a policy with its words, as the admin read them then. */
function activityImage(values: StoredSettings, changed: readonly SettingKey[]): Record<string, unknown> {
  const image: Record<string, unknown> = Object.fromEntries(changed.map((key) => [key, values[key]]))
  if (changed.includes('passwordPolicy')) image.passwordPolicyText = passwordPolicyText(values.passwordPolicy)
  return image
}

function describeKey(key: SettingKey): string {
  switch (key) {
    case 'inviteUrlTemplate':
      return 'the invite URL template'
    case 'inviteLifetimeDays':
      return 'the invite lifetime'
    case 'passwordPolicy':
      return 'the password policy'
    case 'theme':
      return 'the theme'
  }
}

/** The current password policy. */
export function passwordPolicy(store: Store): PasswordPolicy {
  return readStoredSettings(store).passwordPolicy
}

/** What is wrong with `password` under the current policy, or null when it is acceptable. */
export function passwordProblem(store: Store, password: string): string | null {
  return passwordPolicyProblem(passwordPolicy(store), password)
}

/** A checker bound to the current policy: for batches, which would otherwise read it per row. */
export function passwordChecker(store: Store): (password: string) => string | null {
  const policy = passwordPolicy(store)
  return (password) => passwordPolicyProblem(policy, password)
}

export function checkPassword(store: Store, input: CheckPasswordInput): { ok: boolean; message: string | null } {
  const problem = passwordProblem(store, input.password)
  return { ok: problem === null, message: problem }
}

/** What invites need: how long they last and how links are built. */
export interface InviteSettings {
  inviteUrlTemplate: string | null
  inviteLifetimeDays: number
}

export function inviteSettings(store: Store): InviteSettings {
  const { inviteUrlTemplate, inviteLifetimeDays } = readStoredSettings(store)
  return { inviteUrlTemplate, inviteLifetimeDays }
}
