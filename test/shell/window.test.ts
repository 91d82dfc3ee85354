/**
 * Where the window comes back: the size, position and maximised state it was closed with, moved
 * back onto a display when the one it was on is gone, and written so a crash cannot corrupt it.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { restorablePlacement } from '../../src-main/shell/window'
import { FakeWindow, type FakeElectron } from './fake-electron'
import { startShell, type ShellRun } from './harness'

let run: ShellRun

afterEach(() => {
  run.stop()
  vi.restoreAllMocks()
  run.folder.cleanup()
})

const laptop = { id: 1, workArea: { x: 0, y: 25, width: 1440, height: 875 } }
const monitor = { id: 2, workArea: { x: 1440, y: 0, width: 2560, height: 1415 } }

function useDisplays(...displays: Array<{ id: number; workArea: { x: number; y: number; width: number; height: number } }>) {
  return (electron: FakeElectron): void => {
    electron.screen.displays = displays
  }
}

async function closeAt(bounds: { x: number; y: number; width: number; height: number }, maximized = false): Promise<void> {
  const window = run.window()
  window.normalBounds = bounds
  if (maximized) window.maximize()
  window.close()
}

describe('the window’s place', () => {
  it('comes back where it was closed, on a second display, with its size', async () => {
    run = await startShell({ prepare: useDisplays(laptop, monitor) })
    await closeAt({ x: 2000, y: 200, width: 1500, height: 1000 })
    run = await run.restart(useDisplays(laptop, monitor))
    expect(FakeWindow.created.at(-1)?.options).toMatchObject({ x: 2000, y: 200, width: 1500, height: 1000 })
    expect(FakeWindow.created.at(-1)?.maximized).toBe(false)
  })

  it('comes back maximised when it was closed maximised', async () => {
    run = await startShell()
    await closeAt({ x: 100, y: 80, width: 1200, height: 800 }, true)
    run = await run.restart()
    expect(FakeWindow.created.at(-1)?.options).toMatchObject({ x: 100, y: 80, width: 1200, height: 800 })
    expect(FakeWindow.created.at(-1)?.maximized).toBe(true)
  })

  it('moves back onto the main display when the display it was on is gone', async () => {
    run = await startShell({ prepare: useDisplays(laptop, monitor) })
    await closeAt({ x: 2000, y: 200, width: 1200, height: 800 })
    // The monitor is unplugged: only the laptop's screen is left.
    run = await run.restart(useDisplays(laptop))
    const { x = NaN, y = NaN, width, height } = FakeWindow.created.at(-1)?.options ?? {}
    expect([width, height]).toEqual([1200, 800])
    expect(x).toBeGreaterThanOrEqual(laptop.workArea.x)
    expect(y).toBeGreaterThanOrEqual(laptop.workArea.y)
    expect(x + 1200).toBeLessThanOrEqual(laptop.workArea.x + laptop.workArea.width)
    expect(y + 800).toBeLessThanOrEqual(laptop.workArea.y + laptop.workArea.height)
  })

  it('shrinks to fit a display smaller than the window was', async () => {
    run = await startShell({ prepare: useDisplays(monitor) })
    await closeAt({ x: 6000, y: 3000, width: 2400, height: 1400 })
    run = await run.restart(useDisplays({ id: 1, workArea: { x: 0, y: 0, width: 1280, height: 720 } }))
    expect(FakeWindow.created.at(-1)?.options).toMatchObject({ x: 0, y: 0, width: 1280, height: 720 })
  })

  it('is never put back with its title bar above the top of the screen', () => {
    const placement = restorablePlacement({ bounds: { x: 100, y: -600, width: 1200, height: 800 }, maximized: false }, [laptop.workArea])
    expect(placement?.bounds.y).toBeGreaterThanOrEqual(laptop.workArea.y)
  })

  it('keeps a window that is only partly off a display where it is, if enough of it shows', () => {
    const bounds = { x: 1000, y: 300, width: 1200, height: 800 }
    expect(restorablePlacement({ bounds, maximized: false }, [laptop.workArea])?.bounds).toEqual(bounds)
  })

  it('opens at the default size when the saved state is unreadable or absurd', async () => {
    run = await startShell()
    const state = run.app.paths.windowState
    for (const content of [
      '{not json',
      JSON.stringify({ bounds: { x: 0, y: 0, width: 50, height: 50 } }),
      JSON.stringify({ bounds: { x: 'a' } })
    ]) {
      run.window().close()
      writeFileSync(state, content)
      run = await run.restart()
      expect(FakeWindow.created.at(-1)?.options, content).toMatchObject({ width: 1280, height: 820 })
      expect(FakeWindow.created.at(-1)?.options.x, content).toBeUndefined()
    }
  })

  it('writes its state atomically: the file is whole and no temporary file is left behind', async () => {
    run = await startShell()
    await closeAt({ x: 120, y: 90, width: 1300, height: 850 })
    expect(JSON.parse(readFileSync(run.app.paths.windowState, 'utf8'))).toEqual({
      bounds: { x: 120, y: 90, width: 1300, height: 850 },
      maximized: false
    })
    expect(readdirSync(run.app.paths.folder).filter((name) => name.endsWith('.tmp'))).toEqual([])
  })
})
