import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useMemo, useRef, useState } from 'react'
import type { User, UserStatus } from '../../../src-main/ipc/contract'
import { describeError } from '../errors'
import { formatCount, initialsOf, inviteExpiry, personName, plural } from '../format'
import { draftKey, memberKey, useRolePage, type UserDraft } from '../state/rolePage'
import { Icon } from './Icon'
import { StatusBadge } from './StatusBadge'
import { SearchField } from './SearchField'
import { AlertBanner } from './AlertBanner'

type MemberRow =
  | { kind: 'created'; key: string; draft: UserDraft }
  | { kind: 'added'; key: string; user: User }
  | { kind: 'member'; key: string; user: User; removed: boolean }
  | { kind: 'more'; key: string }

const ROW_HEIGHT = 60
const ROW_WITH_ERROR_HEIGHT = 92
/** Start fetching the next page this many rows before the end of what is loaded. */
const PREFETCH_ROWS = 40

function matchesSearch(search: string, fields: (string | null | undefined)[]): boolean {
  const query = search.trim().toLowerCase()
  return !query || fields.some((field) => (field ?? '').toLowerCase().includes(query))
}

function Avatar({ person }: { person: Pick<User, 'email' | 'firstName' | 'lastName'> }) {
  return (
    <span className="avatar" aria-hidden="true">
      {initialsOf(person)}
    </span>
  )
}

/** Name (or the email when there is none) with the status beside it; email and a note below. */
function Identity({
  person,
  status,
  expired = false,
  note,
  noteTone,
  strike
}: {
  person: Pick<User, 'email' | 'firstName' | 'lastName'>
  status: UserStatus
  expired?: boolean
  note?: string | null
  noteTone?: 'warning'
  strike?: boolean
}) {
  const name = personName(person.firstName, person.lastName)
  return (
    <span className={strike ? 'member-identity struck' : 'member-identity'}>
      <span className="member-line">
        <span className="member-name">{name || person.email}</span>
        <StatusBadge status={status} expired={expired} />
      </span>
      {name || note ? (
        <span className="member-line member-details">
          {name ? <span className="member-email">{person.email}</span> : null}
          {note ? <span className={noteTone === 'warning' ? 'member-note expired' : 'member-note'}>{note}</span> : null}
        </span>
      ) : null}
    </span>
  )
}

function RowError({ message }: { message: string | undefined }) {
  if (!message) return null
  return (
    <p className="member-error">
      <Icon name="error" />
      {message}
    </p>
  )
}

/** A user who joins the role on save, created or added; the close button takes them off again. */
function StagedNewRow({
  person,
  status,
  note,
  error,
  onRemove
}: {
  person: Pick<User, 'email' | 'firstName' | 'lastName'>
  status: UserStatus
  note: string
  error: string | undefined
  onRemove(): void
}) {
  return (
    <div className={error ? 'member-row member-row--new has-error' : 'member-row member-row--new'}>
      <div className="member-main">
        <Avatar person={person} />
        <Identity person={person} status={status} note={note} />
        <span className="staged-mark staged-mark--new">New</span>
        <button
          type="button"
          className="icon-button"
          data-row-action
          aria-label={`Remove ${person.email} from role`}
          title="Remove from role"
          onClick={onRemove}
        >
          <Icon name="close" />
        </button>
      </div>
      <RowError message={error} />
    </div>
  )
}

export function MemberList({ onCreateNew, onAddExisting }: { onCreateNew: () => void; onAddExisting: () => void }) {
  const role = useRolePage((state) => state.role)
  const members = useRolePage((state) => state.members)
  const staged = useRolePage((state) => state.staged)
  const failure = useRolePage((state) => state.failure)
  const searchMembers = useRolePage((state) => state.searchMembers)
  const loadMoreMembers = useRolePage((state) => state.loadMoreMembers)
  const reloadMembers = useRolePage((state) => state.reloadMembers)
  const stageRemoval = useRolePage((state) => state.stageRemoval)
  const undoRemoval = useRolePage((state) => state.undoRemoval)
  const unstageCreatedUser = useRolePage((state) => state.unstageCreatedUser)
  const unstageAddedUser = useRolePage((state) => state.unstageAddedUser)

  const [search, setSearch] = useState(members.search)
  const typeSearch = (text: string): void => {
    setSearch(text)
    // Each keystroke asks at once; the store drops answers a later keystroke superseded.
    searchMembers(text)
  }

  const rows = useMemo<MemberRow[]>(() => {
    const removed = new Set(staged.remove)
    const list: MemberRow[] = []
    for (const draft of staged.create) {
      if (matchesSearch(members.search, [draft.email, draft.firstName, draft.lastName])) {
        list.push({ kind: 'created', key: draftKey(draft), draft })
      }
    }
    for (const user of staged.add) {
      if (matchesSearch(members.search, [user.email, user.firstName, user.lastName])) {
        list.push({ kind: 'added', key: memberKey(user.id), user })
      }
    }
    for (const user of members.rows) {
      list.push({ kind: 'member', key: memberKey(user.id), user, removed: removed.has(user.id) })
    }
    if (members.nextCursor) list.push({ kind: 'more', key: 'more' })
    return list
  }, [staged, members])

  const rowErrors = failure?.rows
  const scroller = useRef<HTMLDivElement>(null)
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: (index) => {
      const row = rows[index]
      return row && rowErrors?.[row.key] ? ROW_WITH_ERROR_HEIGHT : ROW_HEIGHT
    },
    getItemKey: (index) => rows[index]?.key ?? index,
    overscan: 8
  })

  useEffect(() => {
    virtualizer.measure()
  }, [rowErrors, virtualizer])

  const items = virtualizer.getVirtualItems()
  const lastVisible = items[items.length - 1]?.index ?? 0
  useEffect(() => {
    if (members.nextCursor && !members.loading && !members.error && lastVisible >= rows.length - PREFETCH_ROWS) {
      void loadMoreMembers()
    }
  }, [lastVisible, rows.length, members.nextCursor, members.loading, members.error, loadMoreMembers])

  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 })
  }, [members.search])

  // Remove and Undo replace the button that was pressed: focus goes to the same row's new button,
  // or, when the row itself goes away, to the next row (the previous one at the end, else the list).
  const focusTarget = useRef<string | null>(null)
  const listRef = useRef<HTMLDivElement>(null)
  const focusAfterRender = (key: string | null): void => {
    focusTarget.current = key ?? ''
  }
  const neighbourKey = (key: string): string | null => {
    const index = rows.findIndex((candidate) => candidate.key === key)
    const next = rows[index + 1]?.kind === 'more' ? undefined : rows[index + 1]
    return (next ?? rows[index - 1])?.key ?? null
  }
  useEffect(() => {
    const key = focusTarget.current
    if (key === null) return
    focusTarget.current = null
    const list = listRef.current
    const slot = key ? list?.querySelector<HTMLElement>(`[data-row-key="${CSS.escape(key)}"]`) : null
    const target = slot?.querySelector<HTMLElement>('[data-row-action]') ?? list
    target?.focus()
  }, [rows])

  const newCount = staged.create.length + staged.add.length
  const removeCount = staged.remove.length
  const searching = members.search.trim().length > 0

  const renderRow = (row: MemberRow) => {
    const error = rowErrors?.[row.key]
    switch (row.kind) {
      case 'more':
        return (
          <div className="member-row member-row--more">
            {members.error ? (
              <>
                <span className="field-error">{describeError(members.error)}</span>
                <button type="button" className="button button--small" onClick={() => void loadMoreMembers()}>
                  Try again
                </button>
              </>
            ) : (
              <span className="muted">Loading more members…</span>
            )}
          </div>
        )
      case 'created': {
        const person = { email: row.draft.email, firstName: row.draft.firstName ?? null, lastName: row.draft.lastName ?? null }
        return (
          <StagedNewRow
            person={person}
            status={row.draft.status ?? 'active'}
            note="Will be created on save"
            error={error}
            onRemove={() => {
              focusAfterRender(neighbourKey(row.key))
              unstageCreatedUser(row.draft.email)
            }}
          />
        )
      }
      case 'added':
        return (
          <StagedNewRow
            person={row.user}
            status={row.user.status}
            note={row.user.roleName ? `Moves here from ${row.user.roleName}` : 'Joins from Public'}
            error={error}
            onRemove={() => {
              focusAfterRender(neighbourKey(row.key))
              unstageAddedUser(row.user.id)
            }}
          />
        )
      case 'member': {
        const { user, removed } = row
        const expiry = user.status === 'invited' && user.inviteExpiresAt ? inviteExpiry(user.inviteExpiresAt) : null
        return (
          <div className={['member-row', removed ? 'member-row--removed' : '', error ? 'has-error' : ''].filter(Boolean).join(' ')}>
            <div className="member-main">
              <Avatar person={user} />
              <Identity
                person={user}
                status={user.status}
                expired={expiry?.expired ?? false}
                note={expiry?.text ?? null}
                noteTone={expiry?.expired ? 'warning' : undefined}
                strike={removed}
              />
              {removed ? (
                <>
                  <span className="staged-mark staged-mark--removed">Removed</span>
                  <button
                    type="button"
                    className="button button--small"
                    data-row-action
                    aria-label={`Undo remove ${user.email}`}
                    onClick={() => {
                      focusAfterRender(row.key)
                      undoRemoval(user.id)
                    }}
                  >
                    <Icon name="undo" />
                    Undo
                  </button>
                </>
              ) : (
                <>
                  <button
                    type="button"
                    className="icon-button"
                    data-row-action
                    aria-label={`Remove ${user.email} from role`}
                    title="Remove from role"
                    onClick={() => {
                      focusAfterRender(row.key)
                      stageRemoval(user.id)
                    }}
                  >
                    <Icon name="person_remove" />
                  </button>
                </>
              )}
            </div>
            <RowError message={error} />
          </div>
        )
      }
    }
  }

  return (
    <section className="card members" aria-labelledby="members-title">
      <div className="members-header">
        <div className="members-heading">
          <h2 id="members-title" className="card-title">
            Users in role
          </h2>
          <p className="members-count">
            {role ? plural(role.memberCount, 'member', 'members') : ''}
            {newCount > 0 ? <span className="count-chip count-chip--new">{formatCount(newCount)} new</span> : null}
            {removeCount > 0 ? <span className="count-chip count-chip--removed">{formatCount(removeCount)} to remove</span> : null}
          </p>
        </div>
        <div className="members-actions">
          <button type="button" className="button" onClick={onCreateNew}>
            <Icon name="person_add" />
            Create new
          </button>
          <button type="button" className="button" onClick={onAddExisting}>
            <Icon name="group_add" />
            Add existing
          </button>
        </div>
      </div>

      <div className="members-toolbar">
        <SearchField label="Search members" value={search} onChange={typeSearch} wide />
        {searching ? (
          <span className="muted members-matching" aria-live="polite">
            {members.loaded && members.answers === members.search
              ? `${members.totalCapped ? 'More than ' : ''}${plural(members.total, 'match', 'matches')}`
              : 'Searching…'}
          </span>
        ) : null}
      </div>

      {failure?.lastAdmin ? <AlertBanner icon="gpp_bad" message={failure.message} /> : null}

      <div className="members-scroll" ref={scroller}>
        {members.loaded && rows.length === 0 ? (
          <div className="empty">
            {members.answers.trim() ? (
              <>No members match “{members.answers.trim()}”.</>
            ) : (
              <>
                <Icon name="group" className="empty-icon" />
                <span>No members yet. Invite users, create a new one or add existing users.</span>
              </>
            )}
          </div>
        ) : null}
        {!members.loaded && members.error ? (
          <div className="empty">
            <span className="field-error">{describeError(members.error)}</span>
            <button type="button" className="button button--small" onClick={() => void reloadMembers()}>
              Try again
            </button>
          </div>
        ) : null}
        {!members.loaded && !members.error ? <div className="empty muted">Loading members…</div> : null}
        <div
          ref={listRef}
          role="list"
          aria-label="Members"
          tabIndex={-1}
          className="members-list"
          style={{ height: virtualizer.getTotalSize() }}
        >
          {items.map((item) => {
            const row = rows[item.index]
            if (!row) return null
            return (
              <div
                key={item.key}
                role="listitem"
                data-row-key={row.key}
                className="member-slot"
                style={{ transform: `translateY(${item.start}px)`, height: item.size }}
              >
                {renderRow(row)}
              </div>
            )
          })}
        </div>
      </div>
    </section>
  )
}
