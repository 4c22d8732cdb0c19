// The engines' view of a page: the same DataView object for a page as long as no store has replaced it,
// made on first use from its chunks (memory.ts `pageView`) and remembered per stored page. Engines compare
// these views by identity (a compiled block is still valid while its code page is the same object) and
// read words through them; the specification's `pageAt` makes a fresh view instead.
import { type Page, type PhysMemory, pageView, storedPage } from '../memory.ts'

const views = new WeakMap<Page, DataView>()

/** `pageAt`, remembered: the same view object for an unchanged page. */
export const pageAtMemo = (m: PhysMemory, pn: number): DataView | undefined => {
  const p = storedPage(m, pn)
  if (p === undefined) return undefined
  if (p instanceof DataView) return p
  let v = views.get(p)
  if (v === undefined) { v = pageView(p); views.set(p, v) }
  return v
}
