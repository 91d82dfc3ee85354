/** The desktop app's main process: Electron's modules handed to the shell's start-up. */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeTheme,
  Notification,
  protocol,
  safeStorage,
  screen,
  session,
  shell
} from 'electron'
import { startApp } from './shell/app'

startApp(
  { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, Notification, protocol, safeStorage, screen, session, shell },
  {
    platform: process.platform,
    mainDir: import.meta.dirname,
    rendererUrl: process.env.ELECTRON_RENDERER_URL,
    resourcesDir: process.resourcesPath,
    argv: process.argv,
    workingDirectory: process.cwd()
  }
).catch((error: unknown) => {
  console.error('[rolekeeper] start-up failed:', error)
  app.exit(1)
})
