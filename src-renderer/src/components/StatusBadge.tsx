import type { UserStatus } from '../../../src-main/ipc/contract'
import { STATUS_LABELS } from '../format'

export function StatusBadge({ status }: { status: UserStatus }) {
  return <span className={`badge badge--${status}`}>{STATUS_LABELS[status]}</span>
}
