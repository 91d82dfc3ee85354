export function App() {
  return <main>Rolekeeper</main>
}
