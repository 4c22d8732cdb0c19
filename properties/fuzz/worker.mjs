// The worker thread's entry: registers the TypeScript loader in this thread (a loader registered in
// the main thread does not reach workers), then runs worker.ts.
import { register } from 'tsx/esm/api'

register()
await import('./worker.ts')
