/**
 * The app asks for no browser permission (camera, notifications, clipboard reading…): refuse all
 * of them, except writing text to the clipboard, which the Copy invite link buttons need.
 */

export interface SessionLike {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void
}

/** Write-only and sanitised: the page can put text on the clipboard, never read it back. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write'])

export function isPermissionAllowed(permission: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission)
}

export function refusePermissions(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    const allowed = isPermissionAllowed(permission)
    if (!allowed) console.warn(`[rolekeeper] permission ${permission} refused`)
    callback(allowed)
  })
  session.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission))
}
