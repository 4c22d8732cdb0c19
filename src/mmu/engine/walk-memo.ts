// Walks the block engine has already made, remembered (machine/engine/run.ts). A walk the fast walker
// answers (fast-walk.ts: no fault, no A/D update, so it writes nothing) is a function of the translation
// context, the access, the page and the PTEs it reads: each read's address follows from the context and
// the values read before it. So when every PTE the remembered walk read still holds the value it read,
// the walk would read the same addresses, make the same decisions and give the same translation: the
// memo re-reads those PTEs (two or three for Sv39, up to about fifteen two-stage) instead of walking,
// and is right whatever the program wrote to its page tables meanwhile, fenced or not.
//
// Direct-mapped by page and access kind; a slot is valid only for the context object and memory map it
// was filled under (a context is immutable: a CSR write makes a new one). Proved equal to walking by
// properties/cpu/fast-engine-xlate.prop.ts (page-table entries rewritten without a fence, then re-walked).
import { type AccessType } from '../faults.ts'
import { type Translation, type TranslationContext } from '../translate.ts'
import { type MemoryMap } from '../../memory/memory-map.ts'
import { type PageReader, READ_WORDS } from './fast-walk.ts'

const SLOTS = 1024
/** An access kind's number (by comparison, not a keyed load by the string: see tlb-mirror.ts, requestOf). */
const kindOf = (access: AccessType): number => (access === 'fetch' ? 0 : access === 'load' ? 1 : 2)

export class WalkMemo {
  private ctx: TranslationContext | undefined
  private map: MemoryMap | undefined
  private readonly vpns = new Float64Array(SLOTS).fill(-1)
  private readonly kinds = new Int8Array(SLOTS)
  private readonly results: (Translation | undefined)[] = new Array<Translation | undefined>(SLOTS).fill(undefined)
  private readonly reads: (readonly number[])[] = new Array<readonly number[]>(SLOTS).fill([])
  /** The PTE reads of the walk `recall` last answered with. */
  lastReads: readonly number[] = []

  /** Walks from now on are made under `ctx` on memory laid out by `map`: a different pair forgets every walk. */
  use(ctx: TranslationContext, map: MemoryMap): void {
    if (ctx === this.ctx && map === this.map) return
    this.ctx = ctx
    this.map = map
    this.vpns.fill(-1)
    this.results.fill(undefined)
    this.reads.fill([])
  }

  /** The translation of the page remembered for this access, if every PTE it read still holds its value in `pages`. */
  recall(vpn: number, access: AccessType, pages: PageReader): Translation | undefined {
    const k = kindOf(access)
    const i = ((vpn & 255) << 2) | k
    if (this.vpns[i] !== vpn || this.kinds[i] !== k) return undefined
    const r = this.reads[i]!
    for (let j = 0; j < r.length; j += READ_WORDS) {
      const pa = r[j]!
      const page = pages((pa - (pa & 0xfff)) / 4096)
      const off = pa & 0xfff
      if (page === undefined || page.getUint32(off, true) !== r[j + 1] || page.getUint32(off + 4, true) !== r[j + 2]) return undefined
    }
    this.lastReads = r
    return this.results[i]
  }

  /** Remembers the walk of page `vpn` for `access`: its translation and its PTE reads (fast-walk.ts, pteReads). */
  remember(vpn: number, access: AccessType, tr: Translation, reads: readonly number[]): void {
    const k = kindOf(access)
    const i = ((vpn & 255) << 2) | k
    this.vpns[i] = vpn
    this.kinds[i] = k
    this.results[i] = tr
    this.reads[i] = reads
  }

  /** Drops the references it holds. */
  clear(): void {
    this.lastReads = []
    this.ctx = undefined
    this.map = undefined
    this.vpns.fill(-1)
    this.results.fill(undefined)
    this.reads.fill([])
  }
}
