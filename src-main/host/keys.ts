/**
 * Where the browser host, the seed and the demo keep a database's secrets: beside the database,
 * never in it, one set per database file (the desktop app keeps one set in its data folder).
 */
import { resolve } from 'node:path'
import { directusTargetFile } from '../core/directus-target'
import { loadInviteKeys, type InviteKeyFiles } from '../core/invite-keys'
import { openStore, type OpenStoreOptions, type Store } from '../core/store'

export interface DatabaseKeyFiles extends InviteKeyFiles {
  directusTarget: string
}

export function keyFilesFor(dbFile: string): DatabaseKeyFiles {
  const file = resolve(dbFile)
  return {
    signing: `${file}.invite-signing.key`,
    legacy: `${file}.invite.key`,
    directusTarget: `${file}.directus-target.key`
  }
}

/** A store on `file` with the keys kept beside it (the signing key is made on first use). */
export async function openStoreWithKeyFiles(
  file: string,
  options: Omit<OpenStoreOptions, 'file' | 'inviteKeys' | 'directusTarget'> = {}
): Promise<Store> {
  const keyFiles = keyFilesFor(file)
  return openStore({
    ...options,
    file,
    inviteKeys: await loadInviteKeys(keyFiles),
    directusTarget: directusTargetFile(keyFiles.directusTarget)
  })
}
