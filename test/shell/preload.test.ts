/** The preload, run against a mocked `electron`: what it exposes to the page, and nothing more. */
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { CALL_NAMES, channelOf, MENU_COMMANDS, SHELL_CHANNELS } from '../../src-main/ipc/calls'
import type { FakeContextBridge, FakeIpcRenderer } from './fake-electron'

const renderer: { bridge: FakeContextBridge | null; ipc: FakeIpcRenderer | null } = vi.hoisted(() => ({ bridge: null, ipc: null }))

vi.mock('electron', async () => {
  const fakes = await import('./fake-electron')
  renderer.bridge = new fakes.FakeContextBridge()
  renderer.ipc = new fakes.FakeIpcRenderer()
  const module = { contextBridge: renderer.bridge, ipcRenderer: renderer.ipc }
  return { ...module, default: module }
})

function exposed(key: string): Record<string, unknown> {
  const value = renderer.bridge?.exposed.get(key)
  if (typeof value !== 'object' || value === null) throw new Error(`${key} was not exposed`)
  return { ...value }
}

beforeAll(async () => {
  await import('../../src-preload/index')
})

describe('the preload', () => {
  it('exposes exactly window.rolekeeper and window.rolekeeperShell', () => {
    expect([...(renderer.bridge?.exposed.keys() ?? [])].sort()).toEqual(['rolekeeper', 'rolekeeperShell'])
  })

  it('gives one function per contract call, and never ipcRenderer itself', () => {
    const api = exposed('rolekeeper')
    expect(Object.keys(api).sort()).toEqual([...CALL_NAMES].sort())
    for (const [name, value] of Object.entries(api)) {
      expect(typeof value, name).toBe('function')
      expect(value, name).not.toBe(renderer.ipc)
    }
    expect(Object.values(exposed('rolekeeperShell'))).not.toContain(renderer.ipc)
  })

  it('sends each call on its channel with the input as given', async () => {
    const api = exposed('rolekeeper')
    for (const name of CALL_NAMES) {
      const call = api[name]
      if (typeof call !== 'function') throw new Error(name)
      const answer: unknown = await call({ marker: name })
      expect(answer).toEqual({ ok: true, value: channelOf(name) })
    }
    expect(renderer.ipc?.invoked).toEqual(CALL_NAMES.map((name) => ({ channel: channelOf(name), input: { marker: name } })))
  })

  it('reports unsaved changes to the shell as a plain boolean', () => {
    const shell = exposed('rolekeeperShell')
    const report = shell.setUnsavedChanges
    if (typeof report !== 'function') throw new Error('setUnsavedChanges missing')
    report(true)
    report('yes')
    report(false)
    expect(renderer.ipc?.sent).toEqual([
      { channel: SHELL_CHANNELS.unsavedChanges, args: [true] },
      { channel: SHELL_CHANNELS.unsavedChanges, args: [false] },
      { channel: SHELL_CHANNELS.unsavedChanges, args: [false] }
    ])
  })

  it('passes menu commands to the page, only known ones, and never the IPC event', () => {
    const subscribe = exposed('rolekeeperShell').onMenuCommand
    if (typeof subscribe !== 'function') throw new Error('onMenuCommand missing')
    const received: unknown[][] = []
    const stop: unknown = subscribe((...args: unknown[]) => received.push(args))
    for (const command of MENU_COMMANDS) renderer.ipc?.deliver(SHELL_CHANNELS.menuCommand, command)
    renderer.ipc?.deliver(SHELL_CHANNELS.menuCommand, 'format-disk')
    renderer.ipc?.deliver(SHELL_CHANNELS.menuCommand, { command: 'save' })
    expect(received).toEqual(MENU_COMMANDS.map((command) => [command]))

    if (typeof stop !== 'function') throw new Error('No way to stop listening')
    stop()
    renderer.ipc?.deliver(SHELL_CHANNELS.menuCommand, 'save')
    expect(received).toHaveLength(MENU_COMMANDS.length)
  })

  it('passes operation progress as plain numbers, dropping anything malformed', () => {
    const subscribe = exposed('rolekeeperShell').onProgress
    if (typeof subscribe !== 'function') throw new Error('onProgress missing')
    const received: unknown[] = []
    const stop: unknown = subscribe((progress: unknown) => received.push(progress))
    renderer.ipc?.deliver(SHELL_CHANNELS.progress, { operationId: 'a', done: 1000, total: 5000, extra: 'dropped' })
    renderer.ipc?.deliver(SHELL_CHANNELS.progress, { operationId: 'a', done: 'lots', total: 5000 })
    renderer.ipc?.deliver(SHELL_CHANNELS.progress, { exportId: 'a', done: 1000, total: 5000 })
    renderer.ipc?.deliver(SHELL_CHANNELS.progress, null)
    expect(received).toEqual([{ operationId: 'a', done: 1000, total: 5000 }])
    if (typeof stop === 'function') stop()
  })

  it('listens only on the shell’s own channels', () => {
    const channels = [...(renderer.ipc?.listeners.keys() ?? [])]
    expect(channels.every((channel) => Object.values(SHELL_CHANNELS).some((known) => known === channel))).toBe(true)
  })
})
