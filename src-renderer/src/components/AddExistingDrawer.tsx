import { useVirtualizer } from '@tanstack/react-virtual'
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import type { User } from '../../../src-main/ipc/contract'
import { api } from '../api'
import { describeError } from '../errors'
import { Drawer, DrawerBody, DrawerFooter, DrawerHeader, WarningIcon, useDrawerClose, useDrawerDirty } from './Drawer'

export interface AddExistingDrawerProps {
  open: boolean
  onOpenChange(open: boolean): void
  roleId: string
  roleName: string
  /** Users already staged to be added: they are not offered again. */
  excludeIds: string[]
  onAdd(users: User[]): void
}

const PAGE_SIZE = 100
const ROW_HEIGHT = 56

interface Listing {
  /** The query the rows and the total answer; null while a new one is asked. */
  answers: string | null
  rows: User[]
  total: number
  totalCapped: boolean
  nextCursor: string | null
  loading: boolean
  error: string | null
}

const EMPTY_LISTING: Listing = { answers: null, rows: [], total: 0, totalCapped: false, nextCursor: null, loading: true, error: null }

export function displayName(user: Pick<User, 'firstName' | 'lastName' | 'email'>): string {
  const name = [user.firstName, user.lastName].filter((part) => part && part.trim().length > 0).join(' ')
  return name.length > 0 ? name : user.email
}

export function AddExistingDrawer({ open, onOpenChange, ...props }: AddExistingDrawerProps) {
  return (
    <Drawer open={open} onOpenChange={onOpenChange} className="add-existing">
      <AddExistingPicker {...props} />
    </Drawer>
  )
}

function AddExistingPicker({ roleId, roleName, excludeIds, onAdd }: Omit<AddExistingDrawerProps, 'open' | 'onOpenChange'>) {
  const { requestClose, close } = useDrawerClose()
  const [search, setSearch] = useState('')
  const [query, setQuery] = useState('')
  const [listing, setListing] = useState<Listing>(EMPTY_LISTING)
  const [selected, setSelected] = useState<Map<string, User>>(() => new Map())
  const [activeIndex, setActiveIndex] = useState(0)
  const scrollRef = useRef<HTMLDivElement>(null)
  const listRef = useRef<HTMLDivElement>(null)
  const request = useRef(0)
  const focusPending = useRef(false)

  const load = useCallback(
    async (after: string | null): Promise<void> => {
      const ticket = ++request.current
      // A new query keeps the rows shown until its own answer replaces them.
      setListing((previous) => ({ ...previous, loading: true, ...(after ? {} : { answers: null }) }))
      const result = await api.listUsers({
        filter: { notInRoleId: roleId, ...(query ? { search: query } : {}) },
        ...(after ? { after } : {}),
        limit: PAGE_SIZE
      })
      if (ticket !== request.current) return
      if (!result.ok) {
        setListing((previous) => ({ ...previous, loading: false, error: describeError(result.error) }))
        return
      }
      const page = result.value
      setListing((previous) => ({
        answers: query,
        rows: after ? [...previous.rows, ...page.rows] : page.rows,
        total: page.total,
        totalCapped: page.totalCapped,
        nextCursor: page.nextCursor,
        loading: false,
        error: null
      }))
    },
    [roleId, query]
  )

  useEffect(() => {
    void load(null)
  }, [load])

  const excluded = useMemo(() => new Set(excludeIds), [excludeIds])
  const rows = useMemo(() => listing.rows.filter((user) => !excluded.has(user.id)), [listing.rows, excluded])

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer re-renders this component itself
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8
  })
  const items = virtualizer.getVirtualItems()
  const lastVisible = items[items.length - 1]?.index ?? -1

  useEffect(() => {
    if (listing.loading || !listing.nextCursor) return
    if (lastVisible >= rows.length - 20) void load(listing.nextCursor)
  }, [lastVisible, rows.length, listing.loading, listing.nextCursor, load])

  useEffect(() => {
    if (!focusPending.current) return
    const checkbox = listRef.current?.querySelector<HTMLInputElement>(`input[data-index="${activeIndex}"]`)
    if (checkbox) {
      focusPending.current = false
      checkbox.focus()
    }
  })

  const toggle = (user: User): void => {
    setSelected((previous) => {
      const next = new Map(previous)
      if (next.has(user.id)) next.delete(user.id)
      else next.set(user.id, user)
      return next
    })
  }

  const moveFocus = (event: KeyboardEvent<HTMLDivElement>): void => {
    const last = rows.length - 1
    if (last < 0) return
    const target =
      event.key === 'ArrowDown'
        ? Math.min(activeIndex + 1, last)
        : event.key === 'ArrowUp'
          ? Math.max(activeIndex - 1, 0)
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? last
              : event.key === 'PageDown'
                ? Math.min(activeIndex + 8, last)
                : event.key === 'PageUp'
                  ? Math.max(activeIndex - 8, 0)
                  : null
    if (target === null) return
    event.preventDefault()
    setActiveIndex(target)
    focusPending.current = true
    virtualizer.scrollToIndex(target, { align: 'auto' })
  }

  const moving = [...selected.values()].filter((user) => user.roleId !== null && user.roleId !== roleId)
  const countText =
    listing.answers === null
      ? rows.length === 0
        ? 'Loading users…'
        : 'Searching…'
      : `${listing.total.toLocaleString()}${listing.totalCapped ? '+' : ''} ${listing.total === 1 ? 'user' : 'users'} not in ${roleName}`

  useDrawerDirty(selected.size > 0)

  return (
    <>
      <DrawerHeader title="Add existing users" description={`Choose users to add to ${roleName}. They are added when you save the role.`} />
      <DrawerBody>
        <div className="add-existing-layout">
          <div className="drawer-search">
            <SearchIcon />
            <input
              type="search"
              data-autofocus
              aria-label="Search users"
              placeholder="Search by name or email"
              value={search}
              autoComplete="off"
              spellCheck={false}
              onChange={(event) => {
                // Each keystroke asks at once; an answer to an earlier one is dropped.
                setSearch(event.target.value)
                setQuery(event.target.value.trim())
                setActiveIndex(0)
              }}
            />
          </div>
          <p className="drawer-hint" aria-live="polite">
            {countText}
          </p>

          {moving.length > 0 ? (
            <div className="drawer-callout drawer-callout--warning" role="status">
              <WarningIcon />
              <div>
                <p className="drawer-callout-title">
                  {moving.length === 1
                    ? `${displayName(moving[0] ?? { firstName: null, lastName: null, email: '' })} will be moved from ${moving[0]?.roleName ?? 'their role'} to ${roleName}.`
                    : `${moving.length.toLocaleString()} selected users will be moved from their current role to ${roleName}.`}
                </p>
                {moving.length > 1 ? (
                  <ul className="drawer-callout-list">
                    {moving.slice(0, 5).map((user) => (
                      <li key={user.id}>
                        {displayName(user)} — {user.roleName}
                      </li>
                    ))}
                    {moving.length > 5 ? <li>and {(moving.length - 5).toLocaleString()} more</li> : null}
                  </ul>
                ) : null}
              </div>
            </div>
          ) : null}

          {listing.error ? (
            <p className="drawer-callout drawer-callout--danger" role="alert">
              {listing.error}
            </p>
          ) : null}

          <div ref={scrollRef} className="pick-list-scroll">
            {!listing.loading && rows.length === 0 && !listing.error ? (
              <p className="pick-list-empty">{query ? `No users match “${query}”.` : `Every user is already in ${roleName}.`}</p>
            ) : null}
            <div
              ref={listRef}
              role="group"
              aria-label="Users not in this role"
              className="pick-list"
              style={{ height: virtualizer.getTotalSize() }}
              onKeyDown={moveFocus}
            >
              {items.map((item) => {
                const user = rows[item.index]
                if (!user) return null
                const checked = selected.has(user.id)
                const name = displayName(user)
                return (
                  <label
                    key={user.id}
                    className={checked ? 'pick-row pick-row--checked' : 'pick-row'}
                    style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                  >
                    <input
                      type="checkbox"
                      data-index={item.index}
                      tabIndex={item.index === Math.min(activeIndex, rows.length - 1) ? 0 : -1}
                      checked={checked}
                      onFocus={() => setActiveIndex(item.index)}
                      onChange={() => toggle(user)}
                    />
                    <span className="pick-row-person">
                      <span className="pick-row-name">{name}</span>
                      {name !== user.email ? <span className="pick-row-email">{user.email}</span> : null}
                    </span>
                    <span className={user.roleId ? 'pick-row-role' : 'pick-row-role pick-row-role--public'}>
                      {user.roleName ?? 'Public'}
                    </span>
                  </label>
                )
              })}
            </div>
            {listing.loading && rows.length > 0 ? <p className="pick-list-more">Loading more…</p> : null}
          </div>
        </div>
      </DrawerBody>
      <DrawerFooter>
        <p className="drawer-footer-note" aria-live="polite">
          {selected.size === 0 ? 'No users selected' : `${selected.size.toLocaleString()} selected`}
        </p>
        <button type="button" className="drawer-button" onClick={requestClose}>
          Cancel
        </button>
        <button
          type="button"
          className="drawer-button drawer-button--primary"
          disabled={selected.size === 0}
          onClick={() => {
            onAdd([...selected.values()])
            close()
          }}
        >
          Add selected
        </button>
      </DrawerFooter>
    </>
  )
}

function SearchIcon() {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path
        d="M15.5 14h-.8l-.3-.3A6.5 6.5 0 1 0 14 15.5l.3.3v.8l5 5 1.5-1.5zm-6 0a4.5 4.5 0 1 1 0-9 4.5 4.5 0 0 1 0 9"
        fill="currentColor"
      />
    </svg>
  )
}
