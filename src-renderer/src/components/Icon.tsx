/** A Material Symbols glyph; decorative, so screen readers skip it. */
export function Icon({ name, className }: { name: string; className?: string }) {
  return (
    <span className={className ? `icon ${className}` : 'icon'} aria-hidden="true">
      {name}
    </span>
  )
}
