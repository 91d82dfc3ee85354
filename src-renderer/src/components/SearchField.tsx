import { Icon } from './Icon'

/** A page's search box; the label is both its placeholder and its accessible name. */
export function SearchField({
  label,
  value,
  onChange,
  wide = false
}: {
  label: string
  value: string
  onChange(value: string): void
  wide?: boolean
}) {
  return (
    <label className={wide ? 'search search--wide' : 'search'}>
      <Icon name="search" className="search-icon" />
      <input
        type="search"
        className="input search-input"
        placeholder={label}
        aria-label={label}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
    </label>
  )
}
