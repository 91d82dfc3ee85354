// electron-builder hook (beforeBuild): runs just before electron-builder rebuilds the native
// modules in node_modules for the platform and architecture it is about to package, which may
// not be this machine's. scripts/native.mjs would then trust a marker that no longer matches the
// binary in place; forgetting it makes the next `rebuild:node` or `rebuild:electron` check the
// binary again and restore the right one from its cache.
import { rmSync } from 'node:fs'
import { join } from 'node:path'

export const MARKER = join('node_modules', '.cache', 'rolekeeper-native', 'runtime.json')

/** @param {{ appDir: string }} context */
export default async function forgetNativeBuild(context) {
  rmSync(join(context.appDir, MARKER), { force: true })
  // True: electron-builder goes on to rebuild the native modules for the target itself.
  return true
}
