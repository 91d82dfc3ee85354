import { useId } from 'react'
import { Icon } from './Icon'

/** The icons a role can have: Material Symbols names. */
export const ROLE_ICONS = [
  'supervised_user_circle',
  'admin_panel_settings',
  'shield_person',
  'verified_user',
  'person',
  'group',
  'groups',
  'badge',
  'engineering',
  'support_agent',
  'school',
  'work',
  'business_center',
  'storefront',
  'local_shipping',
  'account_balance',
  'code',
  'design_services',
  'campaign',
  'analytics',
  'handshake',
  'edit_note',
  'visibility',
  'lock'
] as const

const KNOWN_ICONS: ReadonlySet<string> = new Set(ROLE_ICONS)

const labelOf = (icon: string): string => icon.replaceAll('_', ' ')

export function IconPicker({ value, onChange }: { value: string; onChange: (icon: string) => void }) {
  const name = useId()
  // A role may carry an icon outside the list (set elsewhere); keep it choosable.
  const icons: readonly string[] = KNOWN_ICONS.has(value) ? ROLE_ICONS : [value, ...ROLE_ICONS]
  return (
    <fieldset className="field icon-picker">
      <legend className="field-label">Icon</legend>
      <div className="icon-grid">
        {icons.map((icon) => (
          <label key={icon} className="icon-choice" title={labelOf(icon)}>
            <input
              type="radio"
              name={name}
              value={icon}
              checked={icon === value}
              aria-label={labelOf(icon)}
              onChange={() => onChange(icon)}
            />
            <Icon name={icon} />
          </label>
        ))}
      </div>
    </fieldset>
  )
}
