/** Start the whole desktop shell against the recording fakes, in a temporary folder. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { channelOf } from '../../src-main/ipc/calls'
import type { CallName, CallOutput, Result } from '../../src-main/ipc/contract'
import { startApp, type RunningApp, type ShellEnvironment } from '../../src-main/shell/app'
import { tempDir } from '../helpers/store'
import { appFrame, createFakeElectron, type FakeElectron, type FakeWindow } from './fake-electron'

export interface ShellRun {
  folder: ReturnType<typeof tempDir>
  electron: FakeElectron
  app: RunningApp<FakeWindow>
  window(): FakeWindow
  /** A contract call from the app's own page, as `window.rolekeeper[name](input)` sends it. */
  call<K extends CallName>(name: K, input?: unknown): Promise<Result<CallOutput<K>>>
  /** Quit and start again on the same data folder (a later launch). */
  restart(prepare?: (electron: FakeElectron) => void): Promise<ShellRun>
  stop(): void
}

export function builtLayout(folder: ReturnType<typeof tempDir>): { mainDir: string; userData: string } {
  const mainDir = folder.file('out/main')
  const rendererDir = folder.file('out/renderer')
  mkdirSync(mainDir, { recursive: true })
  mkdirSync(rendererDir, { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Rolekeeper</title>')
  return { mainDir, userData: folder.file('user-data') }
}

export async function startShell(
  options: {
    platform?: NodeJS.Platform
    folder?: ReturnType<typeof tempDir>
    prepare?: (electron: FakeElectron) => void
    /** The command line and the like; the platform and bundle folder come from above. */
    environment?: Omit<ShellEnvironment, 'platform' | 'mainDir'>
  } = {}
): Promise<ShellRun> {
  const folder = options.folder ?? tempDir('rolekeeper-shell-')
  const { mainDir, userData } = builtLayout(folder)
  const electron = createFakeElectron(userData)
  options.prepare?.(electron)
  const app = await startApp(electron, { ...options.environment, platform: options.platform ?? 'linux', mainDir })
  if (!app) throw new Error('The app did not start')
  const run: ShellRun = {
    folder,
    electron,
    app,
    window() {
      const window = app.window()
      if (!window) throw new Error('No window')
      return window
    },
    async call(name, input) {
      // The IPC fake hands back what the handler answered: a Result of this call.
      return (await electron.ipcMain.invoke(channelOf(name), appFrame, input)) as Result<CallOutput<typeof name>>
    },
    async restart(prepare) {
      electron.app.emit('will-quit')
      return startShell({ platform: options.platform, folder, prepare })
    },
    stop() {
      electron.app.emit('will-quit')
    }
  }
  return run
}

/** Let dialogs' promises and scheduled work run. */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5))
