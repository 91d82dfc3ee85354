import { useEffect, useMemo, useRef, useState } from 'react'
import type { RoleSummary } from '../../../src-main/ipc/contract'
import { CreateRoleDialog } from '../components/CreateRoleDialog'
import { Icon } from '../components/Icon'
import { describeError } from '../errors'
import { formatCount } from '../format'
import { hashOf, navigate } from '../router'
import { useRoles } from '../state/roles'
import { SearchField } from '../components/SearchField'
import { AlertBanner } from '../components/AlertBanner'

function matches(role: RoleSummary, query: string): boolean {
  return role.name.toLowerCase().includes(query) || (role.description ?? '').toLowerCase().includes(query)
}

export function RolesPage() {
  const { overview, loading, error, load } = useRoles()
  const [search, setSearch] = useState('')
  const [creating, setCreating] = useState(false)
  const createButton = useRef<HTMLButtonElement>(null)

  useEffect(() => {
    void load()
  }, [load])

  const query = search.trim().toLowerCase()
  const roles = useMemo(() => (overview ? overview.roles.filter((role) => !query || matches(role, query)) : []), [overview, query])
  const showPublic = !query || 'public'.includes(query) || 'users without a role'.includes(query)

  return (
    <div className="page">
      <header className="page-header">
        <div className="page-heading">
          <h1 className="page-title">Roles</h1>
          <p className="page-subtitle">Roles decide what their members may do. Users without a role are Public.</p>
        </div>
        <div className="page-actions">
          <SearchField label="Search roles" value={search} onChange={setSearch} />
          <button type="button" className="button button--primary" ref={createButton} onClick={() => setCreating(true)}>
            <Icon name="add" />
            Create role
          </button>
        </div>
      </header>

      <div className="page-body">
        {error && !overview ? (
          <AlertBanner
            message={describeError(error)}
            action={
              <button type="button" className="button button--small" onClick={() => void load()}>
                Try again
              </button>
            }
          />
        ) : null}

        <div className="card table-card">
          <table className="roles-table">
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col" className="roles-description-col">
                  Description
                </th>
                <th scope="col" className="numeric">
                  Members
                </th>
              </tr>
            </thead>
            <tbody>
              {overview && showPublic ? (
                <tr className="roles-row roles-row--public">
                  <td>
                    <span className="role-cell">
                      <span className="role-icon role-icon--public">
                        <Icon name="public" />
                      </span>
                      <span className="role-name">Public</span>
                    </span>
                  </td>
                  <td className="roles-description-col muted">Users without a role: public permissions only</td>
                  <td className="numeric">{formatCount(overview.public.memberCount)}</td>
                </tr>
              ) : null}
              {roles.map((role) => (
                <tr
                  key={role.id}
                  className="roles-row roles-row--link"
                  onClick={(event) => {
                    if (event.target instanceof Element && event.target.closest('a')) return
                    navigate({ page: 'role', roleId: role.id })
                  }}
                >
                  <td>
                    <span className="role-cell">
                      <span className="role-icon">
                        <Icon name={role.icon} />
                      </span>
                      <a
                        className="role-name role-link"
                        href={hashOf({ page: 'role', roleId: role.id })}
                        onClick={(event) => {
                          event.preventDefault()
                          navigate({ page: 'role', roleId: role.id })
                        }}
                      >
                        {role.name}
                      </a>
                      {role.adminAccess ? <span className="badge badge--admin">Admin</span> : null}
                    </span>
                  </td>
                  <td className="roles-description-col muted">
                    <span className="clamp">{role.description ?? ''}</span>
                  </td>
                  <td className="numeric">{formatCount(role.memberCount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {overview && roles.length === 0 && query ? <p className="empty">No roles match “{search.trim()}”.</p> : null}
          {overview && overview.roles.length === 0 && !query ? (
            <p className="empty">No roles yet. Create one to group users and give them access.</p>
          ) : null}
          {!overview && loading ? <p className="empty">Loading roles…</p> : null}
        </div>
      </div>

      <CreateRoleDialog open={creating} onOpenChange={setCreating} />
    </div>
  )
}
