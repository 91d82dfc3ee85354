import { useEffect, useState } from 'react'
import type { RoleSummary } from '../../../src-main/ipc/contract'
import { AddExistingDrawer } from '../components/AddExistingDrawer'
import { CreateUserDrawer } from '../components/CreateUserDrawer'
import { DeleteRoleDialog } from '../components/DeleteRoleDialog'
import { ExportDialog } from '../components/ExportDialog'
import { Icon } from '../components/Icon'
import { InviteDialog } from '../components/InviteDialog'
import { MemberList } from '../components/MemberList'
import { RoleForm } from '../components/RoleForm'
import { SaveActions } from '../components/SaveActions'
import { describeError } from '../errors'
import { plural } from '../format'
import { navigate, setLeaveGuard } from '../router'
import { desktopShell } from '../shell'
import { notify } from '../state/notifications'
import { failureHasBanner, isDirty, useRolePage } from '../state/rolePage'

type Overlay = 'create' | 'add' | 'invite' | 'delete' | 'export' | null

const hasUnsavedChanges = (): boolean => isDirty(useRolePage.getState().staged)

/**
 * Keeps the staged edits from being lost by leaving: routes ask (the Unsaved changes dialog);
 * closing the window asks too, through the desktop shell when there is one, else beforeunload.
 */
function useLeaveProtection(): void {
  useEffect(() => {
    setLeaveGuard({ hasUnsavedChanges, discard: () => useRolePage.getState().discard() })
    let reported = false
    const report = (unsaved: boolean): void => {
      if (unsaved === reported) return
      reported = unsaved
      window.rolekeeperShell?.setUnsavedChanges(unsaved)
    }
    const unsubscribe = useRolePage.subscribe((state) => report(isDirty(state.staged)))
    const onBeforeUnload = (event: BeforeUnloadEvent): void => {
      // Inside the desktop app the window asks itself; a second, silent veto here would block closing.
      if (desktopShell() || !hasUnsavedChanges()) return
      event.preventDefault()
      // Older engines show the prompt only when returnValue is set.
      event.returnValue = ''
    }
    window.addEventListener('beforeunload', onBeforeUnload)
    return () => {
      unsubscribe()
      report(false)
      window.removeEventListener('beforeunload', onBeforeUnload)
      setLeaveGuard(null)
    }
  }, [])
}

export function RolePage({ roleId }: { roleId: string }) {
  const role = useRolePage((state) => state.role)
  const loadError = useRolePage((state) => state.loadError)
  const staged = useRolePage((state) => state.staged)
  const saving = useRolePage((state) => state.saving)
  const failure = useRolePage((state) => state.failure)
  const { open, close, save, discard, stageCreatedUser, stageAddedUsers, reloadMembers, reloadRole } = useRolePage.getState()
  const [overlay, setOverlay] = useState<Overlay>(null)
  const dirty = isDirty(staged)

  useEffect(() => {
    void open(roleId)
    return () => close()
  }, [roleId, open, close])

  useLeaveProtection()

  useEffect(() => {
    // In the desktop app the native menu owns Ctrl/Cmd+S and sends a 'save' command instead.
    if (window.rolekeeperShell?.onMenuCommand) return
    const onKeyDown = (event: KeyboardEvent): void => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.key.toLowerCase() !== 's') return
      event.preventDefault()
      // A drawer or dialog on top holds its own edits; saving underneath it would surprise.
      if (document.querySelector('[role="dialog"], [role="alertdialog"]')) return
      void useRolePage.getState().save()
    }
    window.addEventListener('keydown', onKeyDown)
    return () => window.removeEventListener('keydown', onKeyDown)
  }, [])

  const saveAndLeave = async (): Promise<void> => {
    if (await save()) navigate({ page: 'roles' })
  }

  const onDeleted = (affected: number, movedTo: RoleSummary | null): void => {
    const name = role?.name ?? 'The'
    discard()
    setOverlay(null)
    const members =
      affected === 0
        ? ''
        : movedTo
          ? ` ${plural(affected, 'member was', 'members were')} moved to ${movedTo.name}.`
          : ` ${plural(affected, 'member is', 'members are')} now Public and suspended.`
    notify({ tone: 'success', message: `Deleted the ${name} role.${members}` })
    navigate({ page: 'roles' })
  }

  if (loadError) {
    return (
      <div className="page">
        <header className="page-header">
          <button type="button" className="icon-button back-button" aria-label="Back" onClick={() => navigate({ page: 'roles' })}>
            <Icon name="arrow_back" />
          </button>
          <div className="page-heading">
            <h1 className="page-title">{loadError.code === 'not_found' ? 'Role not found' : 'Role unavailable'}</h1>
            <p className="page-subtitle">{describeError(loadError)}</p>
          </div>
        </header>
      </div>
    )
  }

  return (
    <div className="page page--role">
      <header className="page-header">
        <button
          type="button"
          className="icon-button back-button"
          aria-label="Back"
          title="Back to roles"
          onClick={() => navigate({ page: 'roles' })}
        >
          <Icon name="arrow_back" />
        </button>
        <div className="page-heading">
          <h1 className="page-title">
            {role ? (
              <>
                <Icon name={role.icon} className="title-icon" />
                <span className="title-text">{role.name} Role</span>
              </>
            ) : (
              'Loading role…'
            )}
          </h1>
          {role ? (
            <p className="page-subtitle">
              {role.adminAccess ? 'Administrators · ' : ''}
              {plural(role.memberCount, 'member', 'members')}
              {role.pendingInviteCount > 0 ? ` · ${plural(role.pendingInviteCount, 'pending invite', 'pending invites')}` : ''}
              {dirty ? <span className="unsaved-dot"> · Unsaved changes</span> : null}
            </p>
          ) : null}
        </div>
        <div className="page-actions">
          <button type="button" className="button button--danger-quiet" disabled={!role} onClick={() => setOverlay('delete')}>
            <Icon name="delete" />
            Delete role
          </button>
          <button type="button" className="button" disabled={!role} onClick={() => setOverlay('export')}>
            <Icon name="download" />
            Export invites
          </button>
          <button type="button" className="button" disabled={!role} onClick={() => setOverlay('invite')}>
            <Icon name="forward_to_inbox" />
            Invite users
          </button>
          <SaveActions
            dirty={dirty}
            saving={saving}
            onSave={() => void saveAndLeave()}
            onSaveAndStay={() => void save()}
            onDiscard={discard}
          />
        </div>
      </header>

      {failure && failureHasBanner(failure) && !failure.lastAdmin ? (
        <div className="banner banner--error page-banner" role="alert">
          <Icon name="error" />
          <span>{failure.message}</span>
        </div>
      ) : null}

      {role ? (
        <div className="role-layout">
          <div className="role-form-column">
            <RoleForm role={role} />
          </div>
          <MemberList onCreateNew={() => setOverlay('create')} onAddExisting={() => setOverlay('add')} />
        </div>
      ) : null}

      {role ? (
        <>
          <CreateUserDrawer
            open={overlay === 'create'}
            onOpenChange={(next) => setOverlay(next ? 'create' : null)}
            stagedEmails={staged.create.map((draft) => draft.email)}
            onStage={(draft) => {
              stageCreatedUser(draft)
              setOverlay(null)
            }}
          />
          <AddExistingDrawer
            open={overlay === 'add'}
            onOpenChange={(next) => setOverlay(next ? 'add' : null)}
            roleId={role.id}
            roleName={role.name}
            excludeIds={staged.add.map((user) => user.id)}
            onAdd={(users) => {
              stageAddedUsers(users)
              setOverlay(null)
            }}
          />
          <InviteDialog
            open={overlay === 'invite'}
            onOpenChange={(next) => setOverlay(next ? 'invite' : null)}
            fixedRoleId={role.id}
            onInvited={() => {
              void reloadMembers()
              void reloadRole()
            }}
          />
          {overlay === 'export' ? (
            <ExportDialog
              open
              onOpenChange={(next) => setOverlay(next ? 'export' : null)}
              scopes={[
                {
                  label: `The pending invites of ${role.name} (${plural(role.pendingInviteCount, 'invite', 'invites')})`,
                  scope: { kind: 'roleInvites', roleId: role.id }
                }
              ]}
            />
          ) : null}
          {overlay === 'delete' ? <DeleteRoleDialog open role={role} onCancel={() => setOverlay(null)} onDeleted={onDeleted} /> : null}
        </>
      ) : null}
    </div>
  )
}
