import type { UserStatus } from '../../../src-main/ipc/contract'
import { STATUS_LABELS } from '../format'

/** A user's status; an invite past its expiry reads as expired, not as pending. */
export function StatusBadge({ status, expired = false }: { status: UserStatus; expired?: boolean }) {
  if (status === 'invited' && expired) return <span className="badge badge--expired">Invite expired</span>
  return <span className={`badge badge--${status}`}>{STATUS_LABELS[status]}</span>
}
