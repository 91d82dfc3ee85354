import { recordActivity } from './activity'
import { DomainError } from './errors'
import type { SaveDirectusTargetInput } from './inputs'
import { readKeyFile, removeKeyFile, writeKeyFile, type KeyFileKind, type KeyProtection } from './keyfile'
import type { DirectusTargetInfo } from './model'
import { normalDirectusUrl } from './rules'
import type { Store } from './store'

/**
 * The Directus server hand-off files are made for: its public URL and its SECRET, with which
 * invite links in Directus's own format are signed. The SECRET is the server's master key (it can
 * sign admin sessions), so it is kept like the invite signing key: in a file outside the database,
 * protected by the operating system's secure storage where there is one, and never written to
 * the database, the activity log, a log file or an export; the renderer only learns whether one
 * is stored. URL and SECRET are kept together, because one is no use without the other.
 */

export interface DirectusTarget {
  /** Without a trailing slash: links are `<publicUrl>/admin/accept-invite?token=…`. */
  publicUrl: string
  secret: string
}

/** Where the target is kept: a file beside the key (desktop, browser host), or memory (tests). */
export interface DirectusTargetStorage {
  read(): DirectusTarget | null
  write(target: DirectusTarget | null): void
}

export const DIRECTUS_TARGET_FILE: KeyFileKind = {
  header: 'rolekeeper-directus-target 1',
  label: 'Directus target',
  without: 'enter the Directus URL and SECRET again in Settings',
  problem: (bytes) => (parseTarget(bytes) === null ? 'it does not hold a URL and a SECRET' : null)
}

function parseTarget(bytes: Buffer): DirectusTarget | null {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const publicUrl: unknown = Reflect.get(value, 'publicUrl')
  const secret: unknown = Reflect.get(value, 'secret')
  return typeof publicUrl === 'string' && typeof secret === 'string' && secret !== '' ? { publicUrl, secret } : null
}

/** The target in a file; read once, then kept in memory (the log's redaction asks often). */
export function directusTargetFile(file: string, protection?: KeyProtection): DirectusTargetStorage {
  let known: { target: DirectusTarget | null } | null = null
  return {
    read() {
      if (known === null) {
        const bytes = readKeyFile(file, DIRECTUS_TARGET_FILE, protection)
        known = { target: bytes === null ? null : parseTarget(bytes) }
      }
      return known.target
    },
    write(target) {
      if (target === null) removeKeyFile(file)
      else writeKeyFile(file, DIRECTUS_TARGET_FILE, Buffer.from(JSON.stringify(target)), protection)
      known = { target }
    }
  }
}

export function memoryDirectusTarget(initial: DirectusTarget | null = null): DirectusTargetStorage {
  let target = initial
  return {
    read: () => target,
    write(next) {
      target = next
    }
  }
}

/** The target the export code signs Directus-format links for, or null when none is set. */
export function directusTarget(store: Store): DirectusTarget | null {
  return store.directusTarget.read()
}

function infoOf(target: DirectusTarget | null): DirectusTargetInfo {
  return { publicUrl: target?.publicUrl ?? null, secretStored: target !== null }
}

/** What the Settings page shows: the URL, and whether a SECRET is stored (never the SECRET). */
export function getDirectusTarget(store: Store): DirectusTargetInfo {
  return infoOf(store.directusTarget.read())
}

/** Set the URL and the SECRET; without a new SECRET the stored one is kept. */
export function saveDirectusTarget(store: Store, input: SaveDirectusTargetInput): DirectusTargetInfo {
  const before = store.directusTarget.read()
  const publicUrl = normalDirectusUrl(input.publicUrl)
  const secret = input.secret ?? before?.secret
  if (secret === undefined) {
    throw new DomainError('validation', 'Enter the SECRET of the Directus server', { secret: 'Enter the SECRET' })
  }
  const secretChanged = secret !== before?.secret
  if (before !== null && before.publicUrl === publicUrl && !secretChanged) return infoOf(before)
  // The file is written last, inside the transaction: if it cannot be, nothing is recorded either.
  store.transaction(() => {
    recordActivity(store, {
      action: 'settings.directus_target',
      collection: 'settings',
      recordIds: ['directusTarget'],
      summary: `Set the Directus target to ${publicUrl}`,
      before: { publicUrl: before?.publicUrl ?? null },
      after: { publicUrl, secretChanged }
    })
    store.directusTarget.write({ publicUrl, secret })
  })
  return infoOf({ publicUrl, secret })
}

/** Forget the URL and the SECRET. */
export function clearDirectusTarget(store: Store): DirectusTargetInfo {
  const before = store.directusTarget.read()
  if (before === null) return infoOf(null)
  store.transaction(() => {
    recordActivity(store, {
      action: 'settings.directus_target',
      collection: 'settings',
      recordIds: ['directusTarget'],
      summary: 'Cleared the Directus target',
      before: { publicUrl: before.publicUrl },
      after: { publicUrl: null }
    })
    store.directusTarget.write(null)
  })
  return infoOf(null)
}
