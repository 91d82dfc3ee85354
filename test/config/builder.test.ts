/**
 * The installer configuration, read and checked by electron-builder's own code (its config
 * loader, its schema validation and its file matchers), since the installers themselves can only
 * be built on a machine that can download Electron.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, resolve } from 'node:path'
import type { AppInfo, Configuration, TargetConfiguration } from 'app-builder-lib'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config'
import { getFileMatchers, type FileMatcher } from 'app-builder-lib/out/fileMatcher'
import { DebugLogger } from 'builder-util'
import { expandMacro } from 'app-builder-lib/out/util/macroExpander'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { helpFile } from '../../src-main/shell/app'

const root = resolve(import.meta.dirname, '../..')
const quiet = new DebugLogger(false)

/** electron-builder's internal matcher builders: the exact rules it packs the app and node_modules by. */
interface InternalMatchers {
  getMainFileMatchers(
    appDir: string,
    destination: string,
    macroExpander: (pattern: string) => string,
    platformOptions: object,
    platformPackager: object,
    outDir: string,
    isElectronCompile: boolean
  ): FileMatcher[]
  getNodeModuleFileMatcher(
    appDir: string,
    destination: string,
    macroExpander: (pattern: string) => string,
    platformOptions: object,
    packager: object
  ): FileMatcher
}
// Both are exported by the module at run time but marked internal in its type declarations.
const internal = createRequire(join(root, 'package.json'))('app-builder-lib/out/fileMatcher') as InternalMatchers

let config: Configuration

beforeAll(async () => {
  vi.spyOn(console, 'log').mockImplementation(() => undefined)
  config = await getConfig(root, null, null)
  vi.restoreAllMocks()
})

function targets(platform: 'win' | 'mac' | 'linux'): Array<{ target: string; arch: string[] }> {
  const list = config[platform]?.target
  const entries: Array<string | TargetConfiguration> = Array.isArray(list) ? list : list ? [list] : []
  return entries.map((entry) =>
    typeof entry === 'string'
      ? { target: entry, arch: [] }
      : { target: entry.target, arch: entry.arch === undefined ? [] : Array.isArray(entry.arch) ? entry.arch : [entry.arch] }
  )
}

const identity = (pattern: string): string => pattern
const file = { isDirectory: () => false }
type Filter = (path: string, stat: typeof file) => boolean

type Platform = 'win' | 'mac' | 'linux'

/** Patterns expanded as electron-builder expands them for one target architecture. */
function expanderFor(arch: string): (pattern: string) => string {
  // Only `${arch}` appears in the file patterns; the product name is there for completeness.
  const appInfo = { productName: 'Rolekeeper', sanitizedProductName: 'Rolekeeper' } as unknown as AppInfo
  return (pattern) => expandMacro(pattern, arch, appInfo)
}

function appFilter(): Filter {
  const packager = {
    info: {
      projectDir: root,
      buildResourcesDir: config.directories?.buildResources ?? 'build',
      isPrepackedAppAsar: false,
      config,
      debugLogger: quiet
    }
  }
  const [matcher] = internal.getMainFileMatchers(root, '/app', identity, config.linux ?? {}, packager, join(root, 'release'), false)
  if (!matcher) throw new Error('No file matcher')
  return matcher.createFilter() as unknown as Filter
}

function nodeModuleFilter(): Filter {
  const matcher = internal.getNodeModuleFileMatcher(root, '/app', identity, config.linux ?? {}, { config, debugLogger: quiet })
  return matcher.createFilter() as unknown as Filter
}

const sqliteModule = join(root, 'node_modules/better-sqlite3')
const prebuilds = readdirSync(join(sqliteModule, 'prebuilds')).filter((name) => name.endsWith('.node'))

describe('electron-builder.yml', () => {
  it('is a valid electron-builder configuration', async () => {
    await expect(validateConfiguration(config, quiet)).resolves.toBeUndefined()
  })

  it('names the app and keeps the build resources and the output apart from the sources', () => {
    expect(config.appId).toBe('org.rolekeeper.app')
    expect(config.productName).toBe('Rolekeeper')
    expect(config.directories).toMatchObject({ output: 'release', buildResources: 'build' })
  })

  it('builds an NSIS installer for Windows, per user, with a Start-menu entry', () => {
    expect(targets('win').map((entry) => entry.target)).toEqual(['nsis'])
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, createStartMenuShortcut: true })
  })

  it('builds a dmg and a zip for macOS, hardened, with an entitlements file that exists', () => {
    expect(targets('mac').map((entry) => entry.target)).toEqual(['dmg', 'zip'])
    for (const entry of targets('mac')) expect(entry.arch).toEqual(['x64', 'arm64'])
    expect(config.mac?.hardenedRuntime).toBe(true)
    const entitlements = config.mac?.entitlements
    expect(entitlements).toBe('build/entitlements.mac.plist')
    const plist = readFileSync(join(root, entitlements ?? ''), 'utf8')
    expect(plist).toContain('<key>com.apple.security.cs.allow-jit</key>')
    // An offline app asks for nothing else: no network, no disabled library validation.
    expect([...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((match) => match[1])).toEqual(['com.apple.security.cs.allow-jit'])
  })

  it('builds an AppImage and a deb for Linux, filed under Office', () => {
    expect(targets('linux').map((entry) => entry.target)).toEqual(['AppImage', 'deb'])
    expect(config.linux?.category).toBe('Office')
    // The deb format refuses to build without a maintainer and a homepage.
    expect(config.linux?.maintainer).toMatch(/<[^>]+@[^>]+>/)
    expect(config.extraMetadata?.homepage).toMatch(/^https:\/\//)
  })

  it('sets the Electron fuses: no run-as-node, no NODE_OPTIONS, no inspector, asar integrity, asar only', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false
    })
  })

  it('packs into an asar and unpacks native .node files from it', () => {
    expect(config.asar).not.toBe(false)
    const matchers = getFileMatchers(config, 'asarUnpack', '/app', {
      macroExpander: identity,
      customBuildOptions: config.linux ?? {},
      globalOutDir: join(root, 'release'),
      defaultSrc: root
    })
    const unpacked = matchers?.[0]?.createFilter() as unknown as Filter
    expect(unpacked(join(root, 'node_modules/better-sqlite3/prebuilds/win32-x64.node'), file)).toBe(true)
    expect(unpacked(join(root, 'node_modules/better-sqlite3/lib/database.js'), file)).toBe(false)
    expect(unpacked(join(root, 'out/main/index.js'), file)).toBe(false)
  })

  it('packs the built app and package.json, and leaves sources, tests, scripts, docs and maps behind', () => {
    const packed = appFilter()
    for (const path of [
      'out/main/index.js',
      'out/preload/index.cjs',
      'out/renderer/index.html',
      'out/renderer/assets/index.js',
      'package.json'
    ]) {
      expect(packed(join(root, path), file), path).toBe(true)
    }
    for (const path of [
      'out/main/index.js.map',
      'out/renderer/assets/index.js.map',
      'src-main/index.ts',
      'src-main/core/store.ts',
      'src-preload/index.ts',
      'src-renderer/src/App.tsx',
      'test/shell/app.test.ts',
      'scripts/seed.ts',
      'docs/guide.md',
      'README.md',
      'electron-builder.yml',
      'build/entitlements.mac.plist',
      'release/Rolekeeper-0.1.0.AppImage',
      'tsconfig.node.json'
    ]) {
      expect(packed(join(root, path), file), path).toBe(false)
    }
  })

  it('packs the production dependencies without better-sqlite3’s C sources or a local compile', () => {
    const packed = nodeModuleFilter()
    for (const path of [
      'node_modules/kysely/dist/cjs/index.js',
      'node_modules/better-sqlite3/lib/index.js',
      'node_modules/better-sqlite3/lib/binding.js'
    ]) {
      expect(packed(join(root, path), file), path).toBe(true)
    }
    for (const path of [
      'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c',
      'node_modules/better-sqlite3/src/better_sqlite3.cpp',
      'node_modules/better-sqlite3/binding.gyp',
      // Preferred by better-sqlite3's loader over the prebuilt one, so a compile left here must not ship.
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/node-addon-api/napi.h',
      'node_modules/zod/index.js.map'
    ]) {
      expect(packed(join(root, path), file), path).toBe(false)
    }
  })

  it('ships the package’s prebuilt SQLite binaries, one per platform and architecture', () => {
    expect(prebuilds).toEqual(
      expect.arrayContaining(['win32-x64.node', 'win32-arm64.node', 'darwin-x64.node', 'darwin-arm64.node', 'linux-x64.node'])
    )
  })

  // For each installer target: the one .node file its packed file set holds, unpacked from the asar.
  const packedBinary: Array<{ platform: Platform; target: string; arch: string; binary: string }> = [
    { platform: 'win', target: 'nsis', arch: 'x64', binary: 'win32-x64.node' },
    { platform: 'win', target: 'nsis', arch: 'arm64', binary: 'win32-arm64.node' },
    { platform: 'mac', target: 'dmg', arch: 'x64', binary: 'darwin-x64.node' },
    { platform: 'mac', target: 'dmg', arch: 'arm64', binary: 'darwin-arm64.node' },
    { platform: 'mac', target: 'zip', arch: 'x64', binary: 'darwin-x64.node' },
    { platform: 'mac', target: 'zip', arch: 'arm64', binary: 'darwin-arm64.node' },
    { platform: 'linux', target: 'AppImage', arch: 'x64', binary: 'linux-x64.node' },
    { platform: 'linux', target: 'deb', arch: 'x64', binary: 'linux-x64.node' }
  ]
  it.each(packedBinary)('packs only $binary for $platform $target $arch, unpacked from the asar', ({ platform, target, arch, binary }) => {
    expect(targets(platform)).toContainEqual(expect.objectContaining({ target, arch: expect.arrayContaining([arch]) }))
    const expand = expanderFor(arch)
    const nodeModules = internal
      .getNodeModuleFileMatcher(root, '/app', expand, config[platform] ?? {}, { config, debugLogger: quiet })
      .createFilter() as unknown as Filter
    // Beside the app's own matcher, the platform's file sets: each copies from a folder to a destination.
    const [, ...extra] =
      getFileMatchers(config, 'files', '/app', {
        macroExpander: expand,
        customBuildOptions: config[platform] ?? {},
        globalOutDir: join(root, 'release'),
        defaultSrc: root
      }) ?? []
    const packed = new Map<string, string>()
    for (const name of prebuilds) {
      const source = join(sqliteModule, 'prebuilds', name)
      if (nodeModules(source, file)) packed.set(name, join('/app/node_modules/better-sqlite3/prebuilds', name))
      for (const set of extra) {
        const filter = set.createFilter() as unknown as Filter
        if (source.startsWith(`${set.from}/`) && filter(source, file)) packed.set(name, join(set.to, relative(set.from, source)))
      }
    }
    // Where better-sqlite3's loader looks for it, and nothing for another platform or architecture.
    expect(Object.fromEntries(packed)).toEqual({ [binary]: `/app/node_modules/better-sqlite3/prebuilds/${binary}` })
    const unpacked = getFileMatchers(config, 'asarUnpack', '/app', {
      macroExpander: expand,
      customBuildOptions: config[platform] ?? {},
      globalOutDir: join(root, 'release'),
      defaultSrc: root
    })?.[0]?.createFilter() as unknown as Filter
    expect(unpacked(join(sqliteModule, 'prebuilds', binary), file)).toBe(true)
  })

  it('ships the help page outside the asar, where Help opens it, and packs the integrity check’s worker bundle', () => {
    const [help, ...others] =
      getFileMatchers(config, 'extraResources', '/resources', {
        macroExpander: identity,
        customBuildOptions: config.linux ?? {},
        globalOutDir: join(root, 'release'),
        defaultSrc: root
      }) ?? []
    expect(others).toEqual([])
    expect(help?.from).toBe(join(root, 'resources/help'))
    expect(help?.to).toBe('/resources/help')
    expect(helpFile({ mainDir: '/app/out/main', resourcesDir: '/resources' }, true)).toBe('/resources/help/index.html')
    // From a checkout, the same page, found from the built main bundle's folder.
    expect(existsSync(helpFile({ mainDir: join(root, 'out/main') }, false))).toBe(true)
    expect(appFilter()(join(root, 'out/main/integrity-worker.js'), file)).toBe(true)
  })

  it('uses icons that exist: a 512-pixel PNG for Linux, an icns for macOS, an ico for Windows', () => {
    expect(config.linux?.icon).toBe('resources/icon.png')
    expect(config.mac?.icon).toBe('resources/icon.icns')
    expect(config.win?.icon).toBe('resources/icon.ico')
    const png = readFileSync(join(root, 'resources/icon.png'))
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG')
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512])
    const icns = readFileSync(join(root, 'resources/icon.icns'))
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns')
    expect(icns.readUInt32BE(4)).toBe(icns.length)
    const ico = readFileSync(join(root, 'resources/icon.ico'))
    expect([...ico.subarray(0, 4)]).toEqual([0, 0, 1, 0])
    // Windows wants a 256-pixel image (stored as 0) among the smaller ones.
    const sizes = Array.from({ length: ico.readUInt16LE(4) }, (_, index) => ico[6 + index * 16] || 256)
    expect(sizes).toEqual(expect.arrayContaining([16, 32, 48, 256]))
  })

  it('is built by package scripts that build, then package, with nothing native to rebuild', () => {
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    expect(scripts['package:linux']).toBe('npm run build && electron-builder --linux')
    expect(scripts['package:win']).toBe('npm run build && electron-builder --win')
    expect(scripts['package:mac']).toBe('npm run build && electron-builder --mac')
    expect(Object.keys(scripts).filter((name) => name.startsWith('rebuild'))).toEqual([])
    expect(config.npmRebuild).toBe(false)
    expect(config.beforeBuild).toBeUndefined()
  })
})
