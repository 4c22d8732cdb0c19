// The library example of README.md ("A walker for any master"), run as written there: a
// device's translation unit walks its own first stage with the master-neutral walker, reports failures
// in its own terms, and caches translations in a TLB tagged by (device, address-space id). Expected
// values worked by hand: IOVA 0x4000_1234 has vpn[2]=1, vpn[1]=0, vpn[0]=1 → frame 0x8020_0000 + 0x234;
// IOVA 0x4000_5000 reaches L0[5], which is zero (V=0: step 3 at level 0).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readme, readmeBlock } from '../library/readme-block.ts'
// --- README example begins
import { isLeft, left, right } from 'fp-ts/lib/Either.js'
import {
  emptyMemory, defaultMemoryMap, poke, phys, virt, makePte, PTE_V, PTE_R, PTE_W, PTE_U, PTE_A, PTE_D, SV39,
  newSession, allowAll, walk, leafOutput, describeFailure, emptyTlb, defaultTlbConfig, lookupOrWalk,
  type StageParams, type WalkFailure, type TlbEngine, type TlbTag, type TlbKey,
} from '../../src/index.ts'

let mem = emptyMemory(defaultMemoryMap)
mem = poke(mem, phys(0x8000_1008n), 8, makePte(0x8000_2000n, PTE_V))      // root[1] → L1
mem = poke(mem, phys(0x8000_2000n), 8, makePte(0x8000_3000n, PTE_V))      // L1[0]   → L0
mem = poke(mem, phys(0x8000_3008n), 8, makePte(0x8020_0000n, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D))

// A device's first stage as data (what an IOMMU reads from its device context): Sv39, the device's
// requests checked as U-mode accesses, Svade, no Svpbmt/Svnapot, page tables at physical addresses.
const deviceStage: StageParams = {
  stage: 'S', purpose: 'translate', scheme: SV39, root: 0x8000_1000n,
  adue: false, pbmte: false, napot: false, access: 'load', hlvx: false,
  permission: { kind: 'first', priv: 'U', sum: false, mxr: false, virt: false }, tables: undefined,
}

// The device's own fault record, made from the walker's closed failure type in one place.
interface DeviceFault { readonly kind: 'pte-access' | 'page'; readonly iova: bigint; readonly level: number; readonly why: string }
const deviceFault = (f: WalkFailure, iova: bigint): DeviceFault =>
  ({ kind: f._tag === 'PteAccess' ? 'pte-access' : 'page', iova, level: f.level, why: describeFailure(f) })

const dmaTranslate = (iova: bigint): bigint | DeviceFault => {
  const r = walk(newSession(mem, allowAll), deviceStage, iova)
  return isLeft(r) ? deviceFault(r.left, iova) : leafOutput(r.right, iova)
}
const ok = dmaTranslate(0x4000_1234n)      // 0x8020_0234n
const bad = dmaTranslate(0x4000_5000n)     // { kind: 'page', iova: 0x4000_5000n, level: 0, why: 'V=0: invalid PTE' }

// An IOTLB: the same TLB, tagged by (device, PSCID), refilled by the device's walk.
interface IoTag extends TlbTag { readonly device: number }
const ioEngine: TlbEngine<number, DeviceFault> = {
  walk: (memory, _device, req) => {
    const s = newSession(memory, allowAll)
    const va = req.va as bigint
    const r = walk(s, { ...deviceStage, access: req.access }, va)
    const result = isLeft(r)
      ? left(deviceFault(r.left, va))
      : right({ pa: phys(leafOutput(r.right, va)), gpa: undefined, first: r.right, gstage: undefined, pageBits: r.right.pageBits })
    return { result, memory: s.memory, trail: s.trail, refs: s.refs }
  },
  remember: (key, slot, arg, make) => make(key, slot, arg),
}
const key: TlbKey<IoTag> = { tag: { space: 'device 7', asid: 3, device: 7 }, first: deviceStage.permission, g: { kind: 'G', mxr: false } }
const miss = lookupOrWalk(emptyTlb<IoTag, number, DeviceFault>(defaultTlbConfig, ioEngine), mem, key, 7, { va: virt(0x4000_1234n), access: 'load' })
const hit = lookupOrWalk(miss.tlb, mem, key, 7, { va: virt(0x4000_1ff8n), access: 'load' })   // same page: no walk
// --- README example ends

test('walker example: a device walks its own Sv39 stage and maps failures to its own fault record', () => {
  assert.is(ok, 0x8020_0234n)
  assert.equal(bad, { kind: 'page', iova: 0x4000_5000n, level: 0, why: 'V=0: invalid PTE' })
})

test('walker example: the IOTLB misses (3 PTE reads), then hits in the same page without a walk', () => {
  assert.is(miss.hit, false)
  assert.is(miss.refs, 3)
  assert.is(hit.hit, true)
  assert.is(hit.refs, 0)
  assert.is(hit.result._tag === 'Right' ? hit.result.right.pa as bigint : undefined, 0x8020_0ff8n)
})

test('the README shows this example as written here', () => {
  assert.ok(readme().includes(readmeBlock(new URL(import.meta.url))))
})

test.run()
