import type { User } from '../../../src-main/ipc/contract'
import { LIMITS } from '../../../src-main/core/model'
import { describeError } from '../errors'
import { displayName, formatDate } from '../format'
import { Drawer, DrawerBody, DrawerFooter, DrawerHeader, FieldError, fieldProps, useDrawerClose, useDrawerDirty } from './Drawer'
import { InvitePanel } from './InvitePanel'
import { StatusField, UserFields } from './UserFields'
import { UserHistory } from './UserHistory'
import { PUBLIC_ROLE, useUserEditor } from './useUserEditor'

export interface UserDrawerProps {
  /** The user to show; null keeps the drawer closed. */
  userId: string | null
  onOpenChange(open: boolean): void
  /** After any write: the user as it is now. */
  onChanged(user: User): void
}

const ID = 'edit-user'

export function UserDrawer({ userId, onOpenChange, onChanged }: UserDrawerProps) {
  return (
    <Drawer open={userId !== null} onOpenChange={onOpenChange} className="user-drawer">
      {userId ? <UserEditor key={userId} userId={userId} onChanged={onChanged} /> : null}
    </Drawer>
  )
}

function UserEditor({ userId, onChanged }: { userId: string; onChanged(user: User): void }) {
  const { requestClose, close } = useDrawerClose()
  const { user, loadError, form, roles, policyText, errors, banner, saving, dirty, version, fieldsRef, change, applied, submit } =
    useUserEditor(userId, ID, onChanged, close)
  useDrawerDirty(dirty)

  if (loadError) {
    return (
      <>
        <DrawerHeader title="Edit user" description={describeError(loadError)} />
        <DrawerBody>
          <p className="muted">This user cannot be shown.</p>
        </DrawerBody>
      </>
    )
  }

  if (!user || !form) {
    return (
      <>
        <DrawerHeader title="Edit user" description="Loading…" />
        <DrawerBody>
          <p className="muted">Loading the user…</p>
        </DrawerBody>
      </>
    )
  }

  return (
    <form className="drawer-form" noValidate onSubmit={(event) => void submit(event)}>
      <DrawerHeader
        title="Edit user"
        description={
          <>
            {displayName(user)} · {user.roleName ?? 'Public'} · created {formatDate(user.createdAt)}
          </>
        }
      />
      <DrawerBody>
        <div ref={fieldsRef} className="drawer-fields">
          {banner ? (
            <div className="drawer-callout drawer-callout--danger" role="alert">
              {banner}
            </div>
          ) : null}

          {user.status === 'invited' ? <InvitePanel user={user} idPrefix={ID} onChanged={applied} /> : null}

          <UserFields idPrefix={ID} values={form} errors={errors} onChange={change}>
            <div className="drawer-field-row">
              <StatusField idPrefix={ID} value={form.status} error={errors.status} onChange={(status) => change('status', status)} />
              <div className="drawer-field">
                <label htmlFor={`${ID}-roleId`}>Role</label>
                <select
                  {...fieldProps(`${ID}-roleId`, errors.roleId)}
                  value={form.roleId}
                  onChange={(event) => change('roleId', event.target.value)}
                >
                  <option value={PUBLIC_ROLE}>Public (no role)</option>
                  {user.roleId && !roles.some((role) => role.id === user.roleId) ? (
                    <option value={user.roleId}>{user.roleName ?? 'Current role'}</option>
                  ) : null}
                  {roles.map((role) => (
                    <option key={role.id} value={role.id}>
                      {role.name}
                    </option>
                  ))}
                </select>
                <FieldError id={`${ID}-roleId`} error={errors.roleId} />
              </div>
            </div>

            <div className="drawer-field">
              <label htmlFor={`${ID}-password`}>New password</label>
              <p id={`${ID}-password-policy`} className="drawer-hint">
                {policyText ? `Password policy: ${policyText}` : 'Loading the password policy…'}{' '}
                {user.hasPassword ? 'Leave empty to keep the current password.' : 'This user has no password yet.'}
              </p>
              <input
                {...fieldProps(`${ID}-password`, errors.password, `${ID}-password-policy`)}
                type="password"
                value={form.password}
                maxLength={LIMITS.password}
                autoComplete="new-password"
                disabled={form.removePassword}
                onChange={(event) => change('password', event.target.value)}
              />
              <FieldError id={`${ID}-password`} error={errors.password} />
              {user.hasPassword ? (
                <label className="drawer-check">
                  <input
                    type="checkbox"
                    checked={form.removePassword}
                    onChange={(event) => {
                      change('removePassword', event.target.checked)
                      if (event.target.checked) change('password', '')
                    }}
                  />
                  Remove password
                </label>
              ) : null}
            </div>
          </UserFields>

          <UserHistory userId={user.id} version={version} />
        </div>
      </DrawerBody>
      <DrawerFooter>
        <button type="button" className="drawer-button" onClick={requestClose}>
          Cancel
        </button>
        <button type="submit" className="drawer-button drawer-button--primary" disabled={saving} aria-busy={saving || undefined}>
          Save changes
        </button>
      </DrawerFooter>
    </form>
  )
}
