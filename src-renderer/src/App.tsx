import { useEffect } from 'react'
import { api } from './api'
import { Notifications } from './components/Notifications'
import { Sidebar } from './components/Sidebar'
import { UnsavedChangesDialog } from './components/UnsavedChangesDialog'
import { PlaceholderPage } from './pages/PlaceholderPage'
import { RolePage } from './pages/RolePage'
import { RolesPage } from './pages/RolesPage'
import { startRouter, useRouter, type Route } from './router'
import { loadRuntime } from './shell'

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'roles':
      return <RolesPage />
    case 'role':
      return <RolePage key={route.roleId} roleId={route.roleId} />
    case 'users':
      return (
        <PlaceholderPage
          title="User Directory"
          icon="group"
          description="Every user in one searchable list, with filters, bulk changes and exports."
        />
      )
    case 'activity':
      return (
        <PlaceholderPage
          title="Activity"
          icon="history"
          description="Every change made in Rolekeeper, newest first, with what it was before and after."
        />
      )
    case 'settings':
      return (
        <PlaceholderPage
          title="Settings"
          icon="settings"
          description="Invite links, invite lifetime, password policy, theme and the database file."
        />
      )
  }
}

/** Follows the OS theme unless the settings pin one. */
function useTheme(): void {
  useEffect(() => {
    let current = true
    void api.getSettings().then((result) => {
      if (!current || !result.ok) return
      const { theme } = result.value
      if (theme === 'system') delete document.documentElement.dataset.theme
      else document.documentElement.dataset.theme = theme
    })
    return () => {
      current = false
    }
  }, [])
}

export function App() {
  const route = useRouter((state) => state.route)
  useEffect(() => startRouter(), [])
  useEffect(loadRuntime, [])
  useTheme()

  return (
    <div className="app">
      <Sidebar />
      <main className="main">
        <Page route={route} />
      </main>
      <UnsavedChangesDialog />
      <Notifications />
    </div>
  )
}
