/** The desktop app's main process: Electron's modules handed to the shell's start-up. */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, screen, session, shell } from 'electron'
import { startApp } from './shell/app'

startApp(
  { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, screen, session, shell },
  { platform: process.platform, mainDir: import.meta.dirname, rendererUrl: process.env.ELECTRON_RENDERER_URL }
).catch((error: unknown) => {
  console.error('[rolekeeper] start-up failed:', error)
  app.exit(1)
})
