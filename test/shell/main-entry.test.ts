/**
 * The real entry point, src-main/index.ts, started against the mocked `electron` module: it must
 * hand Electron's pieces to the shell and come up with the security settings in place.
 */
import { existsSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { CALL_NAMES, channelOf } from '../../src-main/ipc/calls'
import { CONTENT_SECURITY_POLICY } from '../../src-main/shell/protocol'
import { appFrame, fakes, FakeWindow, type FakeElectron } from './fake-electron'

vi.mock('electron', async () => {
  const { createFakeElectron } = await import('./fake-electron')
  const { tempDir } = await import('../helpers/store')
  const fake = createFakeElectron(tempDir('rolekeeper-shell-').dir)
  return { ...fake, default: fake }
})

let electron: FakeElectron

beforeAll(async () => {
  vi.stubEnv('ELECTRON_RENDERER_URL', undefined)
  await import('../../src-main/index')
  const fake = fakes.at(-1)
  if (!fake) throw new Error('The electron mock was not used')
  electron = fake
  await vi.waitFor(() => expect(FakeWindow.created).toHaveLength(1))
})

afterAll(() => {
  electron.app.emit('will-quit')
  vi.unstubAllEnvs()
  rmSync(electron.app.userData, { recursive: true, force: true })
})

describe('src-main/index.ts under a mocked electron', () => {
  it('takes the single-instance lock and declares app: before ready', () => {
    expect(electron.protocol.registeredBeforeReady).toBe(true)
    expect(electron.app.listeners.has('second-instance')).toBe(true)
  })

  it('opens one hardened window on app://rolekeeper/ with the bundled preload next to the main bundle', () => {
    const [window] = FakeWindow.created
    expect(window?.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: resolve(import.meta.dirname, '../../src-main/../preload/index.cjs')
    })
    expect(window?.loaded).toEqual(['app://rolekeeper/index.html'])
    expect(window?.webContents.emit('will-navigate', 'https://example.org/')).toBe(true)
    expect(window?.webContents.windowOpenHandler?.({ url: 'https://example.org/' })).toEqual({ action: 'deny' })
  })

  it('keeps its data in the user-data folder', () => {
    expect(existsSync(resolve(electron.app.userData, 'rolekeeper.db'))).toBe(true)
    expect(existsSync(resolve(electron.app.userData, 'invite-signing.key'))).toBe(true)
  })

  it('serves app: with the CSP, even on a 404', async () => {
    const response = await electron.protocol.fetch('app://rolekeeper/../../etc/passwd')
    expect(response.status).toBe(404)
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
  })

  it('denies permissions and serves every call to its own frame only', async () => {
    expect(electron.session.defaultSession.checkHandler?.(null, 'media')).toBe(false)
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual(CALL_NAMES.map(channelOf).sort())
    expect(await electron.ipcMain.invoke(channelOf('countUsers'), appFrame, {})).toMatchObject({ ok: true })
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    expect(await electron.ipcMain.invoke(channelOf('countUsers'), { url: 'https://evil.example/', parent: null }, {})).toMatchObject({
      ok: false,
      error: { code: 'internal' }
    })
  })
})
