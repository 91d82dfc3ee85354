#!/usr/bin/env node
// Make better-sqlite3's native binary match the runtime about to load it.
//
//   node scripts/native.mjs node      before tests, the seed, the bench and the browser host
//   node scripts/native.mjs electron  before `npm start` / `npm run dev`
//
// Node and Electron use different native ABIs, and there is only one build/Release folder, so
// the binary for each runtime is kept in a cache beside it and swapped in when it is needed:
// switching back and forth costs a file copy, not a compile. A marker file says which runtime
// the binary in place was built for.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))
const moduleDir = dirname(require.resolve('better-sqlite3/package.json'))
const binary = join(moduleDir, 'build', 'Release', 'better_sqlite3.node')
// Outside better-sqlite3's build folder, which node-gyp wipes before every build.
const cacheDir = join(root, 'node_modules', '.cache', 'rolekeeper-native')
const markerFile = join(cacheDir, 'runtime.json')

const target = process.argv[2]
if (target !== 'node' && target !== 'electron') {
  console.error('Usage: node scripts/native.mjs node|electron')
  process.exit(2)
}

const wanted =
  target === 'node'
    ? { runtime: 'node', version: process.versions.modules }
    : { runtime: 'electron', version: require('electron/package.json').version }
const cached = join(cacheDir, `${wanted.runtime}-${wanted.version}.node`)
const sameBuild = (a, b) => a !== null && a.runtime === b.runtime && a.version === b.version

function readMarker() {
  try {
    return JSON.parse(readFileSync(markerFile, 'utf8'))
  } catch {
    return null
  }
}

function writeMarker() {
  mkdirSync(cacheDir, { recursive: true })
  writeFileSync(markerFile, `${JSON.stringify(wanted)}\n`)
  copyFileSync(binary, cached)
}

function run(command, args) {
  console.error(`> ${command} ${args.join(' ')}`)
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
  if (result.status !== 0) {
    console.error(`\`${command} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal}).`)
    process.exit(result.status ?? 1)
  }
}

/** Load the binary in a fresh Node process: a failed dlopen here must not poison this one. */
function loadsInNode() {
  const probe = "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"
  const result = spawnSync(process.execPath, ['-e', probe], { cwd: root, encoding: 'utf8' })
  if (result.status === 0) return { ok: true, reason: '' }
  return { ok: false, reason: (result.stderr.match(/Error: .*/) ?? [result.stderr.trim()])[0] }
}

function restoreFromCache() {
  if (!existsSync(cached)) return false
  mkdirSync(dirname(binary), { recursive: true })
  copyFileSync(cached, binary)
  writeFileSync(markerFile, `${JSON.stringify(wanted)}\n`)
  return true
}

const marker = readMarker()

if (target === 'node') {
  if (marker?.runtime !== 'electron') {
    const check = loadsInNode()
    if (check.ok) {
      if (!sameBuild(marker, wanted)) writeMarker()
      process.exit(0)
    }
    console.error(`better-sqlite3 does not load in Node ${process.version}: ${check.reason}`)
  }
  if (restoreFromCache() && loadsInNode().ok) {
    console.error(`better-sqlite3: restored the build for Node (ABI ${wanted.version}).`)
    process.exit(0)
  }
  console.error('better-sqlite3: building for Node (this takes a minute or two)…')
  run('npm', ['rebuild', 'better-sqlite3'])
  const after = loadsInNode()
  if (!after.ok) {
    console.error(`better-sqlite3 still does not load after the rebuild: ${after.reason}`)
    process.exit(1)
  }
  writeMarker()
  process.exit(0)
}

// Electron: the binary cannot be loaded from here, so trust the marker (or the cache).
if (sameBuild(marker, wanted) && existsSync(binary)) process.exit(0)
if (restoreFromCache()) {
  console.error(`better-sqlite3: restored the build for Electron ${wanted.version}.`)
  process.exit(0)
}
// Keep the Node build so that switching back to the tests is a copy.
if (existsSync(binary) && marker?.runtime !== 'electron' && loadsInNode().ok) {
  mkdirSync(cacheDir, { recursive: true })
  copyFileSync(binary, join(cacheDir, `node-${process.versions.modules}.node`))
}
console.error(`better-sqlite3: building for Electron ${wanted.version} (needs the Electron headers, fetched once)…`)
const electronRebuild = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'electron-rebuild.cmd' : 'electron-rebuild')
if (existsSync(electronRebuild)) {
  run(electronRebuild, ['--version', wanted.version, '--force', '--only', 'better-sqlite3', '--module-dir', root])
} else {
  run('npx', ['electron-builder', 'install-app-deps'])
}
writeMarker()
