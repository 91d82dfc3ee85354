import type { ReactNode } from 'react'
import { Icon } from './Icon'

/** A failure said where it happened: announced at once (`role="alert"`), with an optional action beside it. */
export function AlertBanner({ message, icon = 'error', action }: { message: ReactNode; icon?: string; action?: ReactNode }) {
  return (
    <div className="banner banner--error" role="alert">
      <Icon name={icon} />
      <span>{message}</span>
      {action}
    </div>
  )
}
