import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef, useState, type MouseEvent } from 'react'
import type { User, UserSortField, UserStatus } from '../../../src-main/ipc/contract'
import { BulkActionsBar } from '../components/BulkActionsBar'
import { Icon } from '../components/Icon'
import { ExportDialog } from '../components/ExportDialog'
import { ImportDialog } from '../components/ImportDialog'
import { InviteDialog } from '../components/InviteDialog'
import { StatusBadge } from '../components/StatusBadge'
import { UserDrawer } from '../components/UserDrawer'
import { describeError } from '../errors'
import { formatCount, formatDate, initialsOf, inviteExpiry, personName, STATUS_LABELS } from '../format'
import { filterSpecOf, selectedCountOf, useDirectory, type DirectoryFilter } from '../state/users'
import '../styles/directory.css'
import { SearchField } from '../components/SearchField'

/** In the order an administrator looks for them; drafts (revoked invites, imports) last. */
const FILTER_STATUSES: UserStatus[] = ['active', 'invited', 'suspended', 'archived', 'draft']
const ROW_HEIGHT = 44
/** Up to this many roles get a chip each; more share one select, so the filters stay on one line. */
const ROLE_CHIPS = 6
const TABLE_ID = 'users-table'
const PREFETCH_ROWS = 60

interface Column {
  field: UserSortField
  label: string
  className: string
}

const COLUMNS: Column[] = [
  { field: 'name', label: 'Name', className: 'col-name' },
  { field: 'email', label: 'Email', className: 'col-email' },
  { field: 'role', label: 'Role', className: 'col-role' },
  { field: 'status', label: 'Status', className: 'col-status' },
  { field: 'createdAt', label: 'Created', className: 'col-created' },
  { field: 'inviteExpiresAt', label: 'Invite expires', className: 'col-expires' }
]

function FilterChip({ filter, label, count }: { filter: DirectoryFilter; label: string; count: number | undefined }) {
  const current = useDirectory((state) => state.filter)
  const setFilter = useDirectory((state) => state.setFilter)
  const countId = `filter-count-${filter.replace(/[^a-z0-9-]/gi, '-')}`
  return (
    <>
      <button
        type="button"
        className="filter-chip"
        aria-pressed={current === filter}
        aria-describedby={count === undefined ? undefined : countId}
        onClick={() => setFilter(filter)}
      >
        <span className="filter-chip-label">{label}</span>
        {count === undefined ? null : (
          <span className="filter-chip-count" aria-hidden="true">
            {formatCount(count)}
          </span>
        )}
      </button>
      {count === undefined ? null : (
        <span id={countId} hidden>
          {count === 1 ? '1 user' : `${formatCount(count)} users`}
        </span>
      )}
    </>
  )
}

/** Many roles: one select instead of a chip each (choosing "Any role" goes back to All). */
function RoleFilterSelect() {
  const counts = useDirectory((state) => state.counts)
  const roles = useDirectory((state) => state.roles)
  const current = useDirectory((state) => state.filter)
  const setFilter = useDirectory((state) => state.setFilter)
  const chosen = current.startsWith('role:') ? current.slice('role:'.length) : ''
  return (
    <span className={chosen ? 'filter-select is-chosen' : 'filter-select'}>
      <select
        aria-label="Role"
        className="input select filter-select-input"
        value={chosen}
        onChange={(event) => setFilter(event.target.value ? `role:${event.target.value}` : 'all')}
      >
        <option value="">Any role</option>
        {roles.map((role) => (
          <option key={role.id} value={role.id}>
            {role.name} ({formatCount(counts?.byRole[role.id] ?? role.memberCount)})
          </option>
        ))}
      </select>
    </span>
  )
}

function Filters() {
  const counts = useDirectory((state) => state.counts)
  const roles = useDirectory((state) => state.roles)
  return (
    <div className="directory-filters" role="group" aria-label="Filters">
      <FilterChip filter="all" label="All" count={counts?.all} />
      {FILTER_STATUSES.map((status) => (
        <FilterChip key={status} filter={`status:${status}`} label={STATUS_LABELS[status]} count={counts?.byStatus[status]} />
      ))}
      <FilterChip filter="noRole" label="No role" count={counts?.noRole} />
      {roles.length > 0 ? <span className="directory-filters-divider" aria-hidden="true" /> : null}
      {roles.length > ROLE_CHIPS ? (
        <RoleFilterSelect />
      ) : (
        roles.map((role) => (
          <FilterChip key={role.id} filter={`role:${role.id}`} label={role.name} count={counts?.byRole[role.id] ?? role.memberCount} />
        ))
      )}
    </div>
  )
}

/** Past the filters (a chip per status, maybe per role) straight to the table, for keyboard users. */
function SkipToTable() {
  return (
    <a
      href={`#${TABLE_ID}`}
      className="skip-link"
      onClick={(event) => {
        // The app routes on the hash: move focus without touching it.
        event.preventDefault()
        document.getElementById(TABLE_ID)?.focus()
      }}
    >
      Skip to the users table
    </a>
  )
}

function SortHeader({ column }: { column: Column }) {
  const sort = useDirectory((state) => state.sort)
  const setSort = useDirectory((state) => state.setSort)
  const active = sort.field === column.field
  return (
    <div
      role="columnheader"
      className={`directory-cell ${column.className}`}
      aria-sort={active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button type="button" className="sort-button" onClick={() => setSort(column.field)}>
        {column.label}
        <Icon
          name={active ? (sort.direction === 'asc' ? 'arrow_upward' : 'arrow_downward') : 'unfold_more'}
          className={active ? 'sort-icon sort-icon--active' : 'sort-icon'}
        />
      </button>
    </div>
  )
}

function UserRow({ user, index, selected, onOpen }: { user: User; index: number; selected: boolean; onOpen: (user: User) => void }) {
  const toggleUser = useDirectory((state) => state.toggleUser)
  const name = personName(user.firstName, user.lastName)
  const expiry = user.status === 'invited' && user.inviteExpiresAt ? inviteExpiry(user.inviteExpiresAt) : null

  const onRowClick = (event: MouseEvent<HTMLDivElement>): void => {
    if (event.target instanceof Element && event.target.closest('button, input, a, label')) return
    onOpen(user)
  }

  return (
    <div role="row" aria-rowindex={index + 2} className={selected ? 'directory-row is-selected' : 'directory-row'} onClick={onRowClick}>
      <div role="cell" className="directory-cell col-select">
        <input
          type="checkbox"
          className="checkbox"
          aria-label={`Select ${user.email}`}
          checked={selected}
          onChange={() => undefined}
          onClick={(event) => toggleUser(index, { range: event.shiftKey })}
        />
      </div>
      <div role="cell" className="directory-cell col-name">
        <span className="avatar" aria-hidden="true">
          {initialsOf(user)}
        </span>
        <span className="directory-identity">
          <button type="button" className="link-button directory-name" onClick={() => onOpen(user)}>
            {name || user.email}
          </button>
          <span className="directory-email-below" title={user.email}>
            {user.email}
          </span>
        </span>
      </div>
      <div role="cell" className="directory-cell col-email">
        <span className="ellipsis" title={user.email}>
          {user.email}
        </span>
      </div>
      <div role="cell" className="directory-cell col-role">
        <span className={user.roleName ? 'ellipsis' : 'ellipsis muted'}>{user.roleName ?? 'Public'}</span>
      </div>
      <div role="cell" className="directory-cell col-status">
        <StatusBadge status={user.status} expired={expiry?.expired ?? false} />
      </div>
      <div role="cell" className="directory-cell col-created">
        {formatDate(user.createdAt)}
      </div>
      <div role="cell" className={expiry?.expired ? 'directory-cell col-expires expired' : 'directory-cell col-expires'}>
        {expiry?.expired ? <span className="visually-hidden">Expired </span> : null}
        {expiry ? formatDate(user.inviteExpiresAt ?? '') : ''}
      </div>
    </div>
  )
}

export function UsersPage() {
  const rows = useDirectory((state) => state.rows)
  const total = useDirectory((state) => state.total)
  const totalCapped = useDirectory((state) => state.totalCapped)
  const nextCursor = useDirectory((state) => state.nextCursor)
  const loading = useDirectory((state) => state.loading)
  const loaded = useDirectory((state) => state.loaded)
  const error = useDirectory((state) => state.error)
  const selection = useDirectory((state) => state.selection)
  const filter = useDirectory((state) => state.filter)
  const storedSearch = useDirectory((state) => state.search)
  const answers = useDirectory((state) => state.answers)
  const { refresh, loadMore, setSearch, toggleLoaded, selectAllMatching, clearSelection, replaceUser } = useDirectory.getState()
  const [search, setSearchText] = useState(storedSearch)
  const dialog = useDirectory((state) => state.dialog)
  const openDialog = useDirectory((state) => state.openDialog)
  const [openUserId, setOpenUserId] = useState<string | null>(null)

  useEffect(() => {
    void refresh()
    return () => openDialog(null)
  }, [refresh, openDialog])

  const scroller = useRef<HTMLDivElement>(null)
  const count = rows.length + (nextCursor ? 1 : 0)
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => rows[index]?.id ?? 'more',
    overscan: 10
  })
  const items = virtualizer.getVirtualItems()
  const lastVisible = items[items.length - 1]?.index ?? 0
  useEffect(() => {
    if (nextCursor && !loading && !error && lastVisible >= rows.length - PREFETCH_ROWS) void loadMore()
  }, [lastVisible, rows.length, nextCursor, loading, error, loadMore])

  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 })
  }, [filter, storedSearch])

  const selectedIds = selection.kind === 'ids' ? selection.ids : null
  const selectedCount = selectedCountOf({ selection, total })
  const everyLoaded = selection.kind === 'filter' || (rows.length > 0 && rows.every((row) => selectedIds?.has(row.id)))
  const someLoaded = !everyLoaded && rows.some((row) => selectedIds?.has(row.id))
  const totalText = `${formatCount(total)}${totalCapped ? '+' : ''}`
  const headerBox = useRef<HTMLInputElement>(null)
  useEffect(() => {
    if (headerBox.current) headerBox.current.indeterminate = someLoaded
  }, [someLoaded])

  return (
    <div className="page page--directory">
      <header className="page-header directory-header">
        <div className="page-heading">
          <h1 className="page-title">User Directory</h1>
          <p className="page-subtitle" aria-live="polite" data-answers={loaded ? answers : undefined}>
            {!loaded
              ? 'Loading users…'
              : answers !== storedSearch
                ? 'Searching…'
                : `${totalText} ${total === 1 && !totalCapped ? 'user' : 'users'}`}
          </p>
        </div>
        <div className="page-actions">
          <SearchField
            label="Search users"
            value={search}
            onChange={(text) => {
              setSearchText(text)
              // Each keystroke asks at once; the store drops answers a later keystroke superseded.
              setSearch(text)
            }}
          />
          <button type="button" className="button" onClick={() => openDialog('import')}>
            <Icon name="upload" />
            Import users
          </button>
          <button type="button" className="button" onClick={() => openDialog('export')}>
            <Icon name="download" />
            Export invites
          </button>
          <button type="button" className="button button--primary" onClick={() => openDialog('invite')}>
            <Icon name="forward_to_inbox" />
            Invite users
          </button>
        </div>
      </header>

      <SkipToTable />
      <Filters />

      {error ? (
        <div className="banner banner--error page-banner" role="alert">
          <Icon name="error" />
          <span>{describeError(error)}</span>
          <button type="button" className="button button--small" onClick={() => void refresh()}>
            Try again
          </button>
        </div>
      ) : null}

      <div className={selectedCount > 0 ? 'card directory-card has-selection' : 'card directory-card'}>
        <div id={TABLE_ID} className="directory-table" role="table" aria-label="Users" aria-rowcount={total + 1} tabIndex={-1}>
          <div role="rowgroup" className="directory-head">
            <div role="row" aria-rowindex={1} className="directory-row directory-row--head">
              <div role="columnheader" className="directory-cell col-select">
                <input
                  ref={headerBox}
                  type="checkbox"
                  className="checkbox"
                  aria-label="Select all shown users"
                  checked={everyLoaded && rows.length > 0}
                  disabled={rows.length === 0}
                  onChange={toggleLoaded}
                />
              </div>
              {COLUMNS.map((column) => (
                <SortHeader key={column.field} column={column} />
              ))}
            </div>
          </div>
          <div ref={scroller} className="directory-scroll">
            {loaded && rows.length === 0 && !error ? (
              <p className="empty">
                {storedSearch.trim() || filter !== 'all' ? 'No users match this filter.' : 'No users yet. Invite some to get started.'}
              </p>
            ) : null}
            {!loaded ? <p className="empty">Loading users…</p> : null}
            <div role="rowgroup" className="directory-body" style={{ height: virtualizer.getTotalSize() }}>
              {items.map((item) => {
                const user = rows[item.index]
                return (
                  <div key={item.key} className="directory-slot" style={{ transform: `translateY(${item.start}px)`, height: item.size }}>
                    {user ? (
                      <UserRow
                        user={user}
                        index={item.index}
                        selected={selection.kind === 'filter' || (selectedIds?.has(user.id) ?? false)}
                        onOpen={(opened) => setOpenUserId(opened.id)}
                      />
                    ) : (
                      <div role="row" className="directory-row directory-row--more">
                        <div role="cell" className="directory-cell muted">
                          Loading more users…
                        </div>
                      </div>
                    )}
                  </div>
                )
              })}
            </div>
          </div>
        </div>
        {/* Over the foot of the table, so rows never move when a selection starts or ends. */}
        <div className="bulk-dock">
          {selection.kind === 'ids' && everyLoaded && nextCursor ? (
            <p className="selection-note">
              All {formatCount(rows.length)} users shown so far are selected.{' '}
              <button type="button" className="link-button" onClick={selectAllMatching}>
                Select all {totalText} matching users
              </button>
            </p>
          ) : null}
          {selection.kind === 'filter' ? (
            <p className="selection-note">
              All {totalText} users matching this filter are selected.{' '}
              <button type="button" className="link-button" onClick={clearSelection}>
                Clear selection
              </button>
            </p>
          ) : null}
          <BulkActionsBar />
        </div>
      </div>
      <p className="visually-hidden" aria-live="polite">
        {selectedCount > 0 ? `${formatCount(selectedCount)} selected` : ''}
      </p>

      <InviteDialog
        open={dialog === 'invite'}
        onOpenChange={(open) => openDialog(open ? 'invite' : null)}
        fixedRoleId={undefined}
        onInvited={() => {
          void refresh()
        }}
      />
      <ImportDialog
        open={dialog === 'import'}
        onOpenChange={(open) => openDialog(open ? 'import' : null)}
        onImported={() => void refresh()}
      />
      {dialog === 'export' ? (
        <ExportDialog
          open
          title="Export"
          onOpenChange={(open) => openDialog(open ? 'export' : null)}
          scopes={[
            { label: 'Every pending invite', scope: { kind: 'allInvites' } },
            {
              label: `The ${totalText} ${total === 1 ? 'user' : 'users'} shown by the current filter and search`,
              scope: { kind: 'users', selection: { filter: filterSpecOf(filter, storedSearch) } }
            },
            { label: 'The whole directory: every user and every role', scope: { kind: 'users', selection: { filter: {} } } }
          ]}
        />
      ) : null}
      <UserDrawer
        userId={openUserId}
        onOpenChange={(open) => {
          if (!open) setOpenUserId(null)
        }}
        onChanged={(user) => {
          replaceUser(user)
          void useDirectory.getState().reloadCounts()
        }}
      />
    </div>
  )
}
