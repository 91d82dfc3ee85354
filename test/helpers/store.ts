import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore, type OpenStoreOptions, type Store } from '../../src-main/core/store'
import { testInviteKeys } from './keys'

/** A fresh in-memory database with the real migrations, and a fixed clock unless given one. */
export async function openTestStore(options: Partial<OpenStoreOptions> = {}): Promise<Store> {
  return openStore({
    file: ':memory:',
    inviteKeys: options.inviteKeys ?? (await testInviteKeys()),
    actor: 'tester',
    ...options
  })
}

/** A temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'rolekeeper-test-'): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, file: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
