/**
 * A Material Symbols glyph, decorative, so screen readers skip it. The ligature name is drawn by
 * CSS from `data-icon`, so it never becomes part of the surrounding text (copying, text search).
 */
export function Icon({ name, className }: { name: string; className?: string }) {
  return <span className={className ? `icon ${className}` : 'icon'} data-icon={name} aria-hidden="true" />
}
