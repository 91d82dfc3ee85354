import type { UserStatus } from '../../../src-main/ipc/contract'
import { STATUS_LABELS } from '../format'

/** A user's status; an invite past its expiry reads as Expired, not as pending (Invited). */
export function StatusBadge({ status, expired = false }: { status: UserStatus; expired?: boolean }) {
  if (status === 'invited' && expired) return <span className="badge badge--expired">Expired</span>
  return <span className={`badge badge--${status}`}>{STATUS_LABELS[status]}</span>
}
