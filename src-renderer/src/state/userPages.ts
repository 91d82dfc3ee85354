import type { ApiError, User, UserPage } from '../../../src-main/ipc/contract'

/** A keyset-paged list of users as the renderer holds it: the pages loaded so far and where the next one starts. */
export interface PagedUsers {
  /** The search the rows and the total answer, which may lag the one being typed. */
  answers: string
  rows: User[]
  total: number
  totalCapped: boolean
  nextCursor: string | null
  loading: boolean
  loaded: boolean
  error: ApiError | null
}

export const NO_USERS: PagedUsers = {
  answers: '',
  rows: [],
  total: 0,
  totalCapped: false,
  nextCursor: null,
  loading: false,
  loaded: false,
  error: null
}

/** The list once `page`, answering `search`, has arrived after `rows` (empty for a first page). */
export function withPage(rows: User[], page: UserPage, search: string): PagedUsers {
  return {
    answers: search,
    rows: rows.length > 0 ? [...rows, ...page.rows] : page.rows,
    total: page.total,
    totalCapped: page.totalCapped,
    nextCursor: page.nextCursor,
    loading: false,
    loaded: true,
    error: null
  }
}
