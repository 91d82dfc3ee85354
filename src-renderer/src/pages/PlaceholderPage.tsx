import { Icon } from '../components/Icon'

/** A page of the frame whose screen has not landed yet: its heading, and a word on what it will hold. */
export function PlaceholderPage({ title, icon, description }: { title: string; icon: string; description: string }) {
  return (
    <div className="page">
      <header className="page-header">
        <div className="page-heading">
          <h1 className="page-title">{title}</h1>
        </div>
      </header>
      <div className="page-body">
        <div className="card placeholder">
          <Icon name={icon} className="placeholder-icon" />
          <p className="placeholder-title">Coming soon</p>
          <p className="muted">{description}</p>
        </div>
      </div>
    </div>
  )
}
