import { create } from 'zustand'

export type Route =
  | { page: 'roles' }
  | { page: 'role'; roleId: string }
  | { page: 'users' }
  | { page: 'activity'; recordId?: string }
  | { page: 'settings' }
  | { page: 'accept' }

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent)
  const [first, second] = parts
  if (first === 'roles' && second) return { page: 'role', roleId: second }
  if (first === 'users') return { page: 'users' }
  if (first === 'activity') return second ? { page: 'activity', recordId: second } : { page: 'activity' }
  if (first === 'settings') return { page: 'settings' }
  if (first === 'accept') return { page: 'accept' }
  return { page: 'roles' }
}

export function hashOf(route: Route): string {
  if (route.page === 'role') return `#/roles/${encodeURIComponent(route.roleId)}`
  if (route.page === 'activity' && route.recordId) return `#/activity/${encodeURIComponent(route.recordId)}`
  return `#/${route.page}`
}

const sameRoute = (a: Route, b: Route): boolean => hashOf(a) === hashOf(b)

/** A page with unsaved edits registers one: leaving asks first, Discard changes drops the edits. */
export interface LeaveGuard {
  hasUnsavedChanges(): boolean
  discard(): void
}

interface RouterState {
  route: Route
  /** Where the admin asked to go while the current page holds unsaved changes. */
  pendingRoute: Route | null
  guard: LeaveGuard | null
}

export const useRouter = create<RouterState>()(() => ({
  route: parseHash(window.location.hash),
  pendingRoute: null,
  guard: null
}))

function commit(route: Route): void {
  useRouter.setState({ route, pendingRoute: null })
  if (window.location.hash !== hashOf(route)) window.location.hash = hashOf(route)
}

/** Go to a page, asking first if the current one holds unsaved changes. */
export function navigate(route: Route): void {
  const { route: current, guard } = useRouter.getState()
  if (sameRoute(route, current)) return
  if (guard?.hasUnsavedChanges()) {
    useRouter.setState({ pendingRoute: route })
    return
  }
  commit(route)
}

export function discardAndLeave(): void {
  const { pendingRoute, guard } = useRouter.getState()
  guard?.discard()
  if (pendingRoute) commit(pendingRoute)
}

export function keepEditing(): void {
  useRouter.setState({ pendingRoute: null })
}

export function setLeaveGuard(guard: LeaveGuard | null): void {
  useRouter.setState({ guard })
}

/** Follow hash changes made outside `navigate` (address bar, history), with the same guard. */
export function startRouter(): () => void {
  const onHashChange = (): void => {
    const next = parseHash(window.location.hash)
    const { route: current, guard } = useRouter.getState()
    if (sameRoute(next, current)) return
    if (guard?.hasUnsavedChanges()) {
      // Put the address back until the admin decides; replaceState fires no hashchange.
      window.history.replaceState(null, '', hashOf(current))
      useRouter.setState({ pendingRoute: next })
      return
    }
    useRouter.setState({ route: next, pendingRoute: null })
  }
  window.addEventListener('hashchange', onHashChange)
  if (!window.location.hash) window.history.replaceState(null, '', hashOf(useRouter.getState().route))
  return () => window.removeEventListener('hashchange', onHashChange)
}
