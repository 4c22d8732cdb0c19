// Shadow ≡ nested on RISC-V (issue 15, "Laws"): a guest's VS-stage Sv39 or Sv48 tables over the VMM's
// Sv39x4 or Sv48x4 G-stage (random leaves at every level, A/D clear or set, U, G, reserved W-without-R;
// G-stage 2 MiB and 4 KiB leaves with missing ones and reduced rights), hardware A/D updating (Svadu)
// on or off, and random sequences of VS/VU accesses, 8-byte PTE writes through the guest's own
// mapping or by DMA, SFENCE.VMA scopes, ASID switches, vsatp changes under the same ASID followed by
// a fence, SUM/MXR changes and eager prefills. Every access gets the same HPA, page size and trap
// (cause, tval, htval, tinst) through the shadow as through two-stage translation; no shadow leaf
// grants more; the guest's PTEs (A/D bits included) end equal.
import { test } from 'uvu'
import { type RiscvAccess, type RiscvRegs, riscvShadowFormat, sfenceScope } from '../../../src/hypervisor/shadow/riscv.ts'
import { fc, runs } from '../../fc.ts'
import { type Event, assertNoDifference, firstDifference } from './harness.ts'
import {
  type World, GUEST, G_ROOT, POOL, ROOTS, ROOTS48, WINDOW_VA, guestPtes, hostMemory, l0Entry, l1Entry, rootEntry, tablesHpa, vsL0, vsL1, worldArb,
} from './riscv-world.ts'

const accessArb = fc.record({ kind: fc.constantFrom('load', 'load', 'store', 'fetch'), priv: fc.constantFrom('S', 'S', 'S', 'U') }) as fc.Arbitrary<RiscvAccess>
const vaArb = fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 511 }))
  .map(([a, b, c, o]) => (BigInt(a) << 30n) | (BigInt(b) << 21n) | (BigInt(c) << 12n) | (BigInt(o) << 3n))

type Step =
  | { readonly t: 'access'; readonly va: bigint; readonly a: RiscvAccess; readonly value: bigint }
  | { readonly t: 'write'; readonly gpa: bigint; readonly d: bigint; readonly dma: boolean }
  | { readonly t: 'fence'; readonly f: 'all' | 'asid' | 'va' | 'va all'; readonly va: bigint }
  | { readonly t: 'switch'; readonly asid: number }
  | { readonly t: 'rebind' }
  | { readonly t: 'status'; readonly sum: boolean; readonly mxr: boolean; readonly hsMxr: boolean }
  | { readonly t: 'prefill'; readonly va: bigint; readonly a: RiscvAccess }

const writeArb: fc.Arbitrary<Step> = fc.tuple(
  fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), rootEntry).map(([a, i, d]) => [ROOTS[a]! + BigInt(i) * 8n, d] as const),
    fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), l1Entry).map(([k, i, d]) => [vsL1(k) + BigInt(i) * 8n, d] as const),
    fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 3 }), l0Entry).map(([k, i, d]) => [vsL0(k) + BigInt(i) * 8n, d] as const),
  ),
  fc.boolean(),
).map(([[gpa, d], dma]) => ({ t: 'write' as const, gpa, d, dma }))

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 14, arbitrary: fc.record({ t: fc.constant('access' as const), va: vaArb, a: accessArb, value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }) },
  { weight: 4, arbitrary: writeArb },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('fence' as const), f: fc.constantFrom('all', 'asid', 'va', 'va all'), va: vaArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('switch' as const), asid: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'rebind' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('status' as const), sum: fc.boolean(), mxr: fc.boolean(), hsMxr: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('prefill' as const), va: fc.oneof(vaArb, fc.integer({ min: 0, max: 15 }).map((p) => WINDOW_VA + (BigInt(p) << 12n))), a: accessArb }) },
)

const vsatp = (w: World, asid: number, table: number): bigint =>
  ((w.levels === 3 ? 8n : 9n) << 60n) | (BigInt(asid) << 44n) | ((w.levels === 3 ? ROOTS : ROOTS48)[table]! >> 12n)

const eventsOf = (w: World, steps: readonly Step[]): { regs: RiscvRegs; events: Event<RiscvRegs, RiscvAccess>[] } => {
  const binding = new Map<number, number>([[1, 0], [2, 1], [3, 0]])
  let asid = 1
  const regs0: RiscvRegs = {
    vsatp: vsatp(w, 1, 0), hgatp: ((w.levels === 3 ? 8n : 9n) << 60n) | (1n << 44n) | (G_ROOT >> 12n),
    vsstatus: { sum: w.sum, mxr: w.mxr }, mstatus: { sum: false, mxr: false }, adue: w.adue,
  }
  let regs = regs0
  const events: Event<RiscvRegs, RiscvAccess>[] = []
  for (const s of steps) {
    switch (s.t) {
      case 'access': events.push({ kind: 'access', va: s.va, access: s.a, ...(s.a.kind === 'store' ? { data: { size: 8, value: s.value } } : {}) }); break
      case 'write': {
        const data = { size: 8 as const, value: s.d }
        events.push(s.dma ? { kind: 'dma', hpa: tablesHpa(s.gpa), data } : { kind: 'access', va: WINDOW_VA + (s.gpa - GUEST), access: { kind: 'store', priv: 'S' }, data })
        break
      }
      case 'fence':
        events.push({ kind: 'fence', scope: sfenceScope(regs, s.f === 'va' || s.f === 'va all' ? s.va : undefined, s.f === 'asid' || s.f === 'va' ? asid : undefined) })
        break
      case 'switch': asid = s.asid; regs = { ...regs, vsatp: vsatp(w, asid, binding.get(asid)!) }; events.push({ kind: 'regs', regs }); break
      case 'rebind':
        binding.set(asid, 1 - binding.get(asid)!)
        regs = { ...regs, vsatp: vsatp(w, asid, binding.get(asid)!) }
        events.push({ kind: 'regs', regs, then: sfenceScope(regs, undefined, asid) })
        break
      case 'status': regs = { ...regs, vsstatus: { sum: s.sum, mxr: s.mxr }, mstatus: { sum: false, mxr: s.hsMxr } }; events.push({ kind: 'regs', regs }); break
      case 'prefill': events.push({ kind: 'prefill', va: s.va, access: s.a }); break
    }
  }
  return { regs: regs0, events }
}

const TRIES: readonly RiscvAccess[] = (['load', 'store', 'fetch'] as const).flatMap((kind) => (['S', 'U'] as const).map((priv) => ({ kind, priv })))

test('shadow ≡ nested, RISC-V Sv39/Sv48 over Sv39x4/Sv48x4: same HPA, page size and trap for every access; no leaf grants more; PTEs (A/D) equal', () => {
  // The guest first writes some of its tables through its own mapping (as a kernel setting up an address space), then runs.
  const setUp = fc.array(writeArb.map((w) => ({ ...w, dma: false })), { minLength: 1, maxLength: 6 })
  const arb = fc.tuple(worldArb, fc.tuple(setUp, fc.array(stepArb, { minLength: 10, maxLength: 80 })).map(([a, b]) => [...a, ...b]), fc.integer({ min: 1, max: 3 }))
  assertNoDifference(arb, ([w, steps, maxRoots]) => {
    const { regs, events } = eventsOf(w, steps)
    const watch = guestPtes(w).map(([gpa]) => tablesHpa(gpa))
    return firstDifference(riscvShadowFormat(w.levels), hostMemory(w), regs, { maxRoots, poolBase: POOL, poolBytes: 0x40_0000n }, events, TRIES, watch).difference
  }, runs(60))
})

test.run()
