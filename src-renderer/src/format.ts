import type { User, UserStatus } from '../../src-main/ipc/contract'

export function personName(firstName: string | null | undefined, lastName: string | null | undefined): string {
  return [firstName, lastName]
    .map((part) => part?.trim() ?? '')
    .filter((part) => part.length > 0)
    .join(' ')
}

/** The name a list shows for a user: their name, or their email when they have none. */
export function displayName(user: Pick<User, 'email' | 'firstName' | 'lastName'>): string {
  return personName(user.firstName, user.lastName) || user.email
}

const numberFormat = new Intl.NumberFormat()
export const formatCount = (n: number): string => numberFormat.format(n)

export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`
}

const dateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' })
export const formatDate = (iso: string): string => dateFormat.format(new Date(iso))

export function inviteExpiry(iso: string, now = Date.now()): { text: string; expired: boolean } {
  const expired = new Date(iso).getTime() <= now
  return { text: expired ? `Invite expired ${formatDate(iso)}` : `Invite expires ${formatDate(iso)}`, expired }
}

export const STATUS_LABELS: Record<UserStatus, string> = {
  draft: 'Draft',
  invited: 'Invited',
  active: 'Active',
  suspended: 'Suspended',
  archived: 'Archived'
}

export function initialsOf(user: Pick<User, 'email' | 'firstName' | 'lastName'>): string {
  const name = personName(user.firstName, user.lastName)
  const source = name || user.email
  const words = source.split(/[\s@._-]+/).filter(Boolean)
  const letters = words.length > 1 ? [words[0], words[1]] : [source]
  return letters
    .map((word) => Array.from(word ?? '')[0] ?? '')
    .join('')
    .toUpperCase()
}
