// The engines' view of a page: the same DataView object for a page as long as no store has replaced it
// (memory.ts `sharedPageAt` remembers it per page record, also across a compaction). Engines compare
// these views by identity (a compiled block is still valid while its code page is the same object) and
// read words through them; the specification's `pageAt` makes a fresh view instead.
import { type PhysMemory, sharedPageAt } from '../memory.ts'

/** `pageAt`, remembered: the same view object for an unchanged page. */
export const pageAtMemo = (m: PhysMemory, pn: number): DataView | undefined => sharedPageAt(m, pn)
