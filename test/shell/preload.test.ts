/** The preload, run against a mocked `electron`: what it exposes to the page, and nothing more. */
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { CALL_NAMES, channelOf, SHELL_CHANNELS } from '../../src-main/ipc/calls'
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
})
