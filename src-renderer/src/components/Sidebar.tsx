import type { MouseEvent } from 'react'
import { hashOf, navigate, useRouter, type Route } from '../router'
import { Icon } from './Icon'

interface NavItem {
  label: string
  icon: string
  route: Route
  matches: (route: Route) => boolean
}

const NAV_ITEMS: NavItem[] = [
  { label: 'User Directory', icon: 'group', route: { page: 'users' }, matches: (r) => r.page === 'users' },
  {
    label: 'Roles',
    icon: 'admin_panel_settings',
    route: { page: 'roles' },
    matches: (r) => r.page === 'roles' || r.page === 'role'
  },
  { label: 'Activity', icon: 'history', route: { page: 'activity' }, matches: (r) => r.page === 'activity' },
  { label: 'Settings', icon: 'settings', route: { page: 'settings' }, matches: (r) => r.page === 'settings' },
  { label: 'Accept invite', icon: 'how_to_reg', route: { page: 'accept' }, matches: (r) => r.page === 'accept' }
]

export function Sidebar() {
  const route = useRouter((state) => state.route)

  const follow = (event: MouseEvent<HTMLAnchorElement>, target: Route): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    event.preventDefault()
    navigate(target)
  }

  return (
    <nav className="sidebar" aria-label="Main">
      <div className="sidebar-brand">
        <Icon name="shield_person" className="sidebar-logo" />
        <span className="sidebar-label sidebar-name">Rolekeeper</span>
      </div>
      <ul className="sidebar-list">
        {NAV_ITEMS.map((item) => {
          const active = item.matches(route)
          return (
            <li key={item.label}>
              <a
                href={hashOf(item.route)}
                className="sidebar-link"
                aria-current={active ? 'page' : undefined}
                title={item.label}
                onClick={(event) => follow(event, item.route)}
              >
                <Icon name={item.icon} />
                <span className="sidebar-label">{item.label}</span>
              </a>
            </li>
          )
        })}
      </ul>
    </nav>
  )
}
