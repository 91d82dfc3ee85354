import { createPrivateKey } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CALL_NAMES, channelOf, SHELL_CHANNELS } from '../../src-main/ipc/calls'
import type { Result } from '../../src-main/ipc/contract'
import { openStore } from '../../src-main/core/store'
import { startApp, type RunningApp } from '../../src-main/shell/app'
import { CONTENT_SECURITY_POLICY } from '../../src-main/shell/protocol'
import { DISCARD_CHANGES, KEEP_EDITING } from '../../src-main/shell/window'
import { testInviteKeys } from '../helpers/keys'
import { tempDir } from '../helpers/store'
import { appFrame, createFakeElectron, foreignFrames, FakeWindow, type FakeElectron } from './fake-electron'

let folder: ReturnType<typeof tempDir>
let electron: FakeElectron
let running: RunningApp<FakeWindow> | null

/** The built layout: out/main (the bundle), out/preload, out/renderer. */
function layout(): { mainDir: string; rendererDir: string; userData: string } {
  const mainDir = folder.file('out/main')
  const rendererDir = folder.file('out/renderer')
  mkdirSync(mainDir, { recursive: true })
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Rolekeeper</title>')
  writeFileSync(join(rendererDir, 'assets', 'index.js'), 'console.log("hello")')
  writeFileSync(join(rendererDir, 'assets', 'index.css'), 'body{}')
  writeFileSync(folder.file('secret.txt'), 'outside the renderer')
  return { mainDir, rendererDir, userData: folder.file('user-data') }
}

async function start(options: { rendererUrl?: string; platform?: NodeJS.Platform } = {}): Promise<RunningApp<FakeWindow>> {
  const { mainDir, userData } = layout()
  electron = createFakeElectron(userData)
  running = await startApp(electron, { platform: options.platform ?? 'linux', mainDir, rendererUrl: options.rendererUrl })
  if (!running) throw new Error('The app did not start')
  return running
}

function mainWindow(): FakeWindow {
  const window = running?.window()
  if (!window) throw new Error('No window')
  return window
}

beforeEach(() => {
  folder = tempDir()
  running = null
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
})
afterEach(() => {
  running?.store.close()
  vi.restoreAllMocks()
  folder.cleanup()
})

describe('the window', () => {
  it('is isolated and sandboxed, without Node, with the bundled preload', async () => {
    const app = await start()
    const [window] = FakeWindow.created
    expect(FakeWindow.created).toHaveLength(1)
    expect(window?.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: folder.file('out/preload/index.cjs')
    })
    expect(app.window()).toBe(window)
  })

  it('loads the app from app://rolekeeper/ and shows it once ready', async () => {
    await start()
    expect(mainWindow().loaded).toEqual(['app://rolekeeper/index.html'])
    expect(mainWindow().shown).toBe(true)
  })

  it('loads the dev server while developing', async () => {
    await start({ rendererUrl: 'http://localhost:5173' })
    expect(mainWindow().loaded).toEqual(['http://localhost:5173'])
  })

  it('refuses every navigation, redirect, webview and new window', async () => {
    await start()
    const contents = mainWindow().webContents
    for (const url of ['https://example.org/', 'app://rolekeeper/index.html', 'file:///etc/passwd', 'javascript:alert(1)']) {
      expect(contents.emit('will-navigate', url), url).toBe(true)
      expect(contents.emit('will-redirect', url), url).toBe(true)
    }
    expect(contents.emit('will-attach-webview')).toBe(true)
    expect(contents.windowOpenHandler?.({ url: 'https://example.org/' })).toEqual({ action: 'deny' })
    expect(contents.windowOpenHandler?.({ url: 'app://rolekeeper/index.html' })).toEqual({ action: 'deny' })
  })

  it('remembers where it was and comes back there, maximised or not', async () => {
    await start()
    mainWindow().maximize()
    mainWindow().close()
    const saved: unknown = JSON.parse(readFileSync(folder.file('user-data/window-state.json'), 'utf8'))
    expect(saved).toEqual({ bounds: { x: 40, y: 30, width: 1280, height: 820 }, maximized: true })
    running?.store.close()

    electron = createFakeElectron(folder.file('user-data'))
    running = await startApp(electron, { platform: 'linux', mainDir: folder.file('out/main') })
    const reopened = FakeWindow.created.at(-1)
    expect(reopened?.options).toMatchObject({ x: 40, y: 30, width: 1280, height: 820 })
    expect(reopened?.maximized).toBe(true)
  })
})

describe('closing with unsaved changes', () => {
  const reportUnsaved = (unsaved: unknown, frame = appFrame, sender: unknown = mainWindow().webContents): void => {
    const listener = electron.ipcMain.listeners.get(SHELL_CHANNELS.unsavedChanges)
    if (!listener) throw new Error('No unsaved-changes listener')
    listener({ senderFrame: frame, sender }, unsaved)
  }
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

  it('closes at once when nothing is unsaved', async () => {
    await start()
    mainWindow().close()
    expect(mainWindow().isDestroyed()).toBe(true)
    expect(electron.dialog.asked).toHaveLength(0)
  })

  it('asks first, and stays open on Keep editing', async () => {
    await start()
    reportUnsaved(true)
    electron.dialog.answer = 1
    mainWindow().close()
    await settle()
    expect(electron.dialog.asked.map((options) => options.buttons)).toEqual([[DISCARD_CHANGES, KEEP_EDITING]])
    expect(mainWindow().isDestroyed()).toBe(false)
  })

  it('closes on Discard changes', async () => {
    await start()
    reportUnsaved(true)
    electron.dialog.answer = 0
    mainWindow().close()
    await settle()
    expect(mainWindow().isDestroyed()).toBe(true)
  })

  it('closes at once again after the renderer reports everything saved', async () => {
    await start()
    reportUnsaved(true)
    reportUnsaved(false)
    mainWindow().close()
    expect(mainWindow().isDestroyed()).toBe(true)
  })

  it('on macOS, Quit goes on after Discard changes and stops on Keep editing', async () => {
    await start({ platform: 'darwin' })
    reportUnsaved(true)
    electron.app.emit('before-quit')
    electron.dialog.answer = 1
    mainWindow().close()
    await settle()
    expect(mainWindow().isDestroyed()).toBe(false)

    // Later, closing the window alone keeps the app running, as usual on macOS.
    reportUnsaved(false)
    mainWindow().close()
    electron.app.emit('window-all-closed')
    expect(electron.app.quitCalls).toBe(0)
  })

  it('on macOS, Quit with unsaved changes quits once they are discarded', async () => {
    await start({ platform: 'darwin' })
    reportUnsaved(true)
    electron.app.emit('before-quit')
    electron.dialog.answer = 0
    mainWindow().close()
    await settle()
    expect(mainWindow().isDestroyed()).toBe(true)
    electron.app.emit('window-all-closed')
    expect(electron.app.quitCalls).toBe(1)
  })

  it('ignores reports from anything but its own page', async () => {
    await start()
    reportUnsaved(true, { url: 'https://evil.example/', parent: null })
    reportUnsaved(true, appFrame, { another: 'webContents' })
    mainWindow().close()
    expect(mainWindow().isDestroyed()).toBe(true)
  })
})

describe('the app: protocol', () => {
  it('is declared privileged before the app is ready', async () => {
    await start()
    expect(electron.protocol.registeredBeforeReady).toBe(true)
    expect(electron.protocol.privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }])
  })

  it('serves the renderer files with their content type and the strict CSP', async () => {
    await start()
    const page = await electron.protocol.fetch('app://rolekeeper/index.html')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(await page.text()).toContain('<title>Rolekeeper</title>')

    const script = await electron.protocol.fetch('app://rolekeeper/assets/index.js')
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(script.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    const style = await electron.protocol.fetch('app://rolekeeper/assets/index.css')
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8')
    expect((await electron.protocol.fetch('app://rolekeeper/')).status).toBe(200)
  })

  it('refuses paths that leave the renderer folder', async () => {
    await start()
    for (const url of [
      'app://rolekeeper/../secret.txt',
      'app://rolekeeper/../../secret.txt',
      'app://rolekeeper/..%2fsecret.txt',
      'app://rolekeeper/%2e%2e%2fsecret.txt',
      'app://rolekeeper/%2e%2e/secret.txt',
      'app://rolekeeper/assets/..%2f..%2fsecret.txt',
      'app://rolekeeper/..\\secret.txt',
      'app://rolekeeper/..%5csecret.txt',
      'app://rolekeeper/../../etc/passwd',
      'app://rolekeeper/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      'app://rolekeeper/index.html%00.js',
      'app://other/index.html'
    ]) {
      const response = await electron.protocol.fetch(url)
      expect(response.status, url).toBe(404)
      expect(await response.text(), url).not.toContain('outside the renderer')
    }
  })

  it('answers a missing file with 404 and only reads', async () => {
    await start()
    expect((await electron.protocol.fetch('app://rolekeeper/nothing-here.js')).status).toBe(404)
    expect((await electron.protocol.fetch('app://rolekeeper/index.html', { method: 'POST', body: 'x' })).status).toBe(405)
  })
})

describe('permissions', () => {
  it('refuses every permission request and check, except writing to the clipboard', async () => {
    await start()
    const { requestHandler, checkHandler } = electron.session.defaultSession
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'unknown']) {
      const answers: boolean[] = []
      requestHandler?.(null, permission, (granted) => answers.push(granted))
      expect(answers, permission).toEqual([false])
      expect(checkHandler?.(null, permission), permission).toBe(false)
    }
    expect(checkHandler?.(null, 'clipboard-sanitized-write')).toBe(true)
  })
})

describe('IPC', () => {
  it('registers every contract call on its own channel', async () => {
    await start()
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual(CALL_NAMES.map(channelOf).sort())
  })

  it('answers a call from the app’s own frame, against the database in the data folder', async () => {
    await start()
    const info = await electron.ipcMain.invoke(channelOf('getAppInfo'), appFrame)
    expect(info).toEqual({
      ok: true,
      value: { version: '1.2.3', databasePath: folder.file('user-data/rolekeeper.db'), runtime: 'desktop' }
    })
    const created = (await electron.ipcMain.invoke(channelOf('createRole'), appFrame, { name: 'Support' })) as Result<{ name: string }>
    expect(created).toMatchObject({ ok: true, value: { name: 'Support' } })
  })

  it('refuses a call from any other frame, without running it', async () => {
    await start()
    for (const [what, frame] of Object.entries(foreignFrames)) {
      const result = (await electron.ipcMain.invoke(channelOf('createRole'), frame, { name: `From ${what}` })) as Result<unknown>
      expect(result.ok, what).toBe(false)
      expect(result, what).toMatchObject({ ok: false, error: { code: 'internal' } })
    }
    const roles = await electron.ipcMain.invoke(channelOf('listRoles'), appFrame, {})
    expect(roles).toMatchObject({ ok: true, value: { roles: [] } })
  })

  it('trusts the dev server’s origin only while developing', async () => {
    await start({ rendererUrl: 'http://localhost:5173/' })
    const dev = { url: 'http://localhost:5173/index.html', parent: null }
    expect(await electron.ipcMain.invoke(channelOf('getSettings'), dev)).toMatchObject({ ok: true })
    const otherPort = { url: 'http://localhost:5174/', parent: null }
    expect(await electron.ipcMain.invoke(channelOf('getSettings'), otherPort)).toMatchObject({ ok: false })
  })

  it('validates the payload of a trusted call', async () => {
    await start()
    const result = await electron.ipcMain.invoke(channelOf('createRole'), appFrame, { name: 7 })
    expect(result).toMatchObject({ ok: false, error: { code: 'validation', fields: { name: expect.any(String) } } })
  })
})

describe('one instance', () => {
  it('a second launch quits at once and opens nothing', async () => {
    const { mainDir, userData } = layout()
    electron = createFakeElectron(userData)
    electron.app.lockGranted = false
    const result = await startApp(electron, { platform: 'linux', mainDir })
    expect(result).toBeNull()
    expect(electron.app.quitCalls).toBe(1)
    expect(FakeWindow.created).toHaveLength(0)
    expect(electron.ipcMain.handlers.size).toBe(0)
  })

  it('the running instance brings its window forward when launched again', async () => {
    await start()
    const window = mainWindow()
    window.minimized = true
    electron.app.emit('second-instance', {}, ['/opt/Rolekeeper/rolekeeper', '--no-sandbox'], '/home/ann')
    expect(window.minimized).toBe(false)
    expect(window.focused).toBe(1)
    expect(FakeWindow.created).toHaveLength(1)
  })

  it('reopens a window on macOS when launched again after closing it', async () => {
    await start({ platform: 'darwin' })
    mainWindow().close()
    electron.app.emit('window-all-closed')
    expect(electron.app.quitCalls).toBe(0)
    electron.app.emit('activate')
    expect(FakeWindow.created).toHaveLength(2)
  })

  it('quits when the last window closes elsewhere', async () => {
    await start()
    mainWindow().close()
    electron.app.emit('window-all-closed')
    expect(electron.app.quitCalls).toBe(1)
  })
})

describe('the data folder', () => {
  it('holds the database and the invite signing key, protected by the OS when it can', async () => {
    const app = await start()
    expect(app.paths).toMatchObject({
      database: folder.file('user-data/rolekeeper.db'),
      signingKey: folder.file('user-data/invite-signing.key'),
      legacyInviteKey: folder.file('user-data/invite.key')
    })
    const stored = readFileSync(app.paths.signingKey, 'utf8')
    expect(stored).toMatch(/^rolekeeper-invite-signing-key 1 protected\n/)
    // What is on disk is the secure storage's wrapping, not a private key.
    expect(() => createPrivateKey({ key: Buffer.from(stored.split('\n')[1] ?? '', 'base64'), format: 'der', type: 'pkcs8' })).toThrow()
    expect(existsSync(app.paths.legacyInviteKey)).toBe(false)
    const kid = app.store.inviteKeys.signing.kid
    running?.store.close()

    electron = createFakeElectron(folder.file('user-data'))
    running = await startApp(electron, { platform: 'linux', mainDir: folder.file('out/main') })
    expect(running?.store.inviteKeys.signing.kid).toBe(kid)
  })

  it('still reads the earlier invite key of a data folder that has one, for links issued before', async () => {
    const { mainDir, userData } = layout()
    mkdirSync(userData, { recursive: true })
    const legacy = Buffer.alloc(32, 5)
    electron = createFakeElectron(userData)
    const wrapped = electron.safeStorage.encryptString(legacy.toString('base64'))
    writeFileSync(folder.file('user-data/invite.key'), `rolekeeper-invite-key 1 protected\n${wrapped.toString('base64')}\n`)
    running = await startApp(electron, { platform: 'linux', mainDir })
    expect(running?.store.inviteKeys.legacy?.equals(legacy)).toBe(true)
  })

  it('keeps the key as it is where the OS offers no real protection', async () => {
    const { mainDir, userData } = layout()
    electron = createFakeElectron(userData)
    electron.safeStorage.backend = 'basic_text'
    running = await startApp(electron, { platform: 'linux', mainDir })
    expect(readFileSync(folder.file('user-data/invite-signing.key'), 'utf8')).toMatch(/^rolekeeper-invite-signing-key 1 plain\n/)
  })

  const unreadableDatabase = (): { mainDir: string; userData: string; before: Buffer } => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const { mainDir, userData } = layout()
    mkdirSync(userData, { recursive: true })
    writeFileSync(join(userData, 'rolekeeper.db'), 'this is not a database, just some text that is long enough to look like a file')
    return { mainDir, userData, before: readFileSync(join(userData, 'rolekeeper.db')) }
  }

  it('says why and offers a way out when the database cannot be opened; Quit touches nothing', async () => {
    const { mainDir, userData, before } = unreadableDatabase()
    electron = createFakeElectron(userData)
    // Open another database…, dismiss the open dialog, asked again: Quit.
    electron.dialog.windowlessAnswers.push(0, 1)
    const result = await startApp(electron, { platform: 'linux', mainDir })
    expect(result).toBeNull()
    const [asked, again] = electron.dialog.askedWithoutWindow
    expect(asked?.buttons).toEqual(['Open another database…', 'Quit'])
    expect(asked?.detail).toMatch(/^rolekeeper\.db is damaged or not a database .*\n\nNothing in it was changed\. .*backup/s)
    expect(asked?.detail).toContain(join(userData, 'backups'))
    expect(again).toEqual(asked)
    expect(electron.dialog.openDialogs.map((options) => options.defaultPath)).toEqual([join(userData, 'backups')])
    expect(electron.app.exitCodes).toEqual([1])
    expect(FakeWindow.created).toHaveLength(0)
    expect(readFileSync(join(userData, 'rolekeeper.db')).equals(before)).toBe(true)
  })

  it('opens the database chosen instead, such as a backup, and starts on it next time', async () => {
    const { mainDir, userData, before } = unreadableDatabase()
    const backup = folder.file('user-data/backups/rolekeeper.db.v1-2026.backup')
    mkdirSync(dirname(backup), { recursive: true })
    const made = await openStore({ file: backup, inviteKeys: await testInviteKeys() })
    made.close()
    electron = createFakeElectron(userData)
    electron.dialog.windowlessAnswers.push(0)
    electron.dialog.openPath = backup
    running = await startApp(electron, { platform: 'linux', mainDir })
    expect(running?.store.file).toBe(backup)
    expect(FakeWindow.created).toHaveLength(1)
    expect(readFileSync(join(userData, 'rolekeeper.db')).equals(before)).toBe(true)
    running?.store.close()

    electron = createFakeElectron(userData)
    running = await startApp(electron, { platform: 'linux', mainDir })
    expect(running?.store.file).toBe(backup)
    expect(electron.dialog.askedWithoutWindow).toEqual([])
  })
})

describe('the menu', () => {
  it('has the standard Edit roles so copy and paste work, and the macOS app menu there only', async () => {
    await start({ platform: 'darwin' })
    const template = electron.Menu.applicationMenu?.template ?? []
    expect(template.map((item) => item.label)).toEqual(['Rolekeeper', 'File', 'Edit', 'View', 'Window', 'Help'])
    const edit = template.find((item) => item.label === 'Edit')?.submenu?.map((item) => item.role) ?? []
    expect(edit).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']))
    expect(template[0]?.submenu?.map((item) => item.role)).toContain('quit')
  })

  it('has no app menu and no developer tools in a packaged app on Windows and Linux', async () => {
    await start({ platform: 'win32' })
    const template = electron.Menu.applicationMenu?.template ?? []
    expect(template.map((item) => item.label)).toEqual(['File', 'Edit', 'View', 'Window', 'Help'])
    const roles = JSON.stringify(template)
    expect(roles).not.toContain('toggleDevTools')
  })
})
