import { useEffect } from 'react'
import { MenuCommands } from './components/MenuCommands'
import { Notifications } from './components/Notifications'
import { OpeningDatabaseDialog } from './components/OpeningDatabaseDialog'
import { Sidebar } from './components/Sidebar'
import { UnsavedChangesDialog } from './components/UnsavedChangesDialog'
import { AcceptInvitePage } from './pages/AcceptInvitePage'
import { ActivityPage } from './pages/ActivityPage'
import { RolePage } from './pages/RolePage'
import { RolesPage } from './pages/RolesPage'
import { SettingsPage } from './pages/SettingsPage'
import { UsersPage } from './pages/UsersPage'
import { startRouter, useRouter, type Route } from './router'
import { loadRuntime } from './shell'
import { useSettings } from './state/settings'

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'roles':
      return <RolesPage />
    case 'role':
      return <RolePage key={route.roleId} roleId={route.roleId} />
    case 'users':
      return <UsersPage />
    case 'activity':
      return <ActivityPage recordId={route.recordId} />
    case 'settings':
      return <SettingsPage />
    case 'accept':
      return <AcceptInvitePage />
  }
}

/** Follows the OS theme unless the settings pin one; Settings applies a change at once. */
function useTheme(): void {
  useEffect(() => {
    void useSettings.getState().load()
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
      <OpeningDatabaseDialog />
      <Notifications />
      <MenuCommands />
    </div>
  )
}
