// Random VMM block maps for the ARMv7 shadow laws: the guest-physical table region (64 KiB) and up to
// fifteen MiB of data, as one 16 MiB block, or 64 KiB / 1 MiB / 2 MiB blocks (some missing, some
// without write or execute), at a shuffled host-physical place.
import { rights } from '../../../src/arch/armv7/vmsa.ts'
import { type VmmMap, vmmBlockAt } from '../../../src/hypervisor/shadow/vmm-map.ts'
import { fc } from '../../fc.ts'

export const rightsArb = fc.constantFrom(rights(true, true, true), rights(true, true, true), rights(true, false, true), rights(true, true, false), rights(true, false, false))
/** Either one 16 MiB block over everything, or the table region as a 64 KiB block and each MiB of data as 1 MiB, 2 MiB, or sixteen 64 KiB blocks (or nothing). */
export const vmmArb: fc.Arbitrary<VmmMap> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<VmmMap>([{ gpa: 0n, hpa: 0x1000_0000n, bits: 24, rights: rights(true, true, true) }]) },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.integer({ min: 0, max: 7 }).map((x) => 2 * x),
      pairs: fc.array(fc.record({ shape: fc.constantFrom('none', '1M', '1M', '2M', '64K'), r: rightsArb, rs: fc.array(rightsArb, { minLength: 16, maxLength: 16 }) }), { minLength: 8, maxLength: 8 }),
    }).map(({ k, pairs }) => {
      const map: VmmMap[number][] = [{ gpa: 0n, hpa: 0x0100_0000n, bits: 16, rights: rights(true, true, false) }]
      pairs.forEach((p, i) => {
        for (const m of [2 * i, 2 * i + 1]) {
          if (m === 0) continue
          const gpa = BigInt(m) << 20n, hpa = 0x0200_0000n + (BigInt(m ^ k) << 20n)
          if (p.shape === '1M') map.push({ gpa, hpa, bits: 20, rights: p.r })
          if (p.shape === '64K') p.rs.forEach((r, j) => map.push({ gpa: gpa + (BigInt(j) << 16n), hpa: hpa + (BigInt(j) << 16n), bits: 16, rights: r }))
        }
        if (p.shape === '2M' && i > 0) map.push({ gpa: BigInt(2 * i) << 20n, hpa: 0x0200_0000n + (BigInt((2 * i) ^ k) << 20n), bits: 21, rights: p.r })
      })
      return map
    }),
  },
)

export const hostOf = (vmm: VmmMap, gpa: bigint): bigint => {
  const b = vmmBlockAt(vmm, gpa)!
  return b.hpa + (gpa - b.gpa)
}

