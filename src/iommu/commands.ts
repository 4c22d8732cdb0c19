// Command-queue commands (RISC-V IOMMU spec v1.0, "Command-Queue (CQ)"): IOTINVAL.VMA/.GVMA,
// IOFENCE.C, IODIR.INVAL_DDT/.INVAL_PDT and the ATS commands, each a pair of doublewords, as pure
// encode/decode, and the legality rules (a reserved encoding or a reserved bit set, or a command the
// capabilities do not implement, is illegal: cqcsr.cmd_ill).
import { bit, bits, mask } from '../bits/bits.ts'
import type { Capabilities } from './capabilities.ts'

export const OPCODE_IOTINVAL = 1, OPCODE_IOFENCE = 2, OPCODE_IODIR = 3, OPCODE_ATS = 4

export type Command =
  | { readonly kind: 'IOTINVAL.VMA' | 'IOTINVAL.GVMA', readonly av: boolean, readonly pscid: number, readonly pscv: boolean,
      readonly gv: boolean, readonly nl: boolean, readonly gscid: number, readonly s: boolean, readonly addr: bigint }
  | { readonly kind: 'IOFENCE.C', readonly av: boolean, readonly wsi: boolean, readonly pr: boolean, readonly pw: boolean,
      readonly data: number, readonly addr: bigint }
  | { readonly kind: 'IODIR.INVAL_DDT' | 'IODIR.INVAL_PDT', readonly pid: number, readonly dv: boolean, readonly did: number }
  | { readonly kind: 'ATS.INVAL' | 'ATS.PRGR', readonly pid: number, readonly pv: boolean, readonly dsv: boolean,
      readonly rid: number, readonly dseg: number, readonly payload: bigint }

/** A decoded command, or why the pair of doublewords is illegal. */
export type Decoded = { readonly ok: true, readonly command: Command } | { readonly ok: false, readonly reason: string }

const illegal = (reason: string): Decoded => ({ ok: false, reason })
const ok = (command: Command): Decoded => ({ ok: true, command })

/**
 * Decodes a command and applies the legality rules that need no IOMMU state beyond its capabilities
 * and fctl.WSI (IODIR's device_id width is checked when it executes, against ddtp.iommu_mode).
 */
export const decodeCommand = (w0: bigint, w1: bigint, caps: Capabilities, fctlWsi: boolean): Decoded => {
  const opcode = Number(bits(w0, 6, 0))
  const func3 = Number(bits(w0, 9, 7))
  switch (opcode) {
    case OPCODE_IOTINVAL: {
      // dw0: AV 10, rsvd 11, PSCID 31:12, PSCV 32, GV 33, NL 34, rsvd 43:35, GSCID 59:44, rsvd 63:60;
      // dw1: rsvd 8:0, S 9, ADDR[63:12] 61:10, rsvd 63:62.
      if (bit(w0, 11) || bits(w0, 43, 35) !== 0n || bits(w0, 63, 60) !== 0n || bits(w1, 8, 0) !== 0n || bits(w1, 63, 62) !== 0n) return illegal('IOTINVAL: a reserved bit is set')
      if (func3 > 1) return illegal(`IOTINVAL: func3 ${func3} is reserved`)
      const nl = bit(w0, 34), s = bit(w1, 9)
      if (nl && !caps.nl) return illegal('IOTINVAL: NL = 1 but capabilities.NL = 0')
      if (s && !caps.s) return illegal('IOTINVAL: S = 1 but capabilities.S = 0')
      const pscv = bit(w0, 32)
      if (func3 === 1 && pscv) return illegal('IOTINVAL.GVMA with PSCV = 1')
      return ok({ kind: func3 === 0 ? 'IOTINVAL.VMA' : 'IOTINVAL.GVMA', av: bit(w0, 10), pscid: Number(bits(w0, 31, 12)), pscv,
        gv: bit(w0, 33), nl, gscid: Number(bits(w0, 59, 44)), s, addr: bits(w1, 61, 10) << 12n })
    }
    case OPCODE_IOFENCE: {
      // dw0: AV 10, WSI 11, PR 12, PW 13, rsvd 31:14, DATA 63:32; dw1: ADDR[63:2] 61:0, rsvd 63:62.
      if (bits(w0, 31, 14) !== 0n || bits(w1, 63, 62) !== 0n) return illegal('IOFENCE: a reserved bit is set')
      if (func3 !== 0) return illegal(`IOFENCE: func3 ${func3} is reserved`)
      const wsi = bit(w0, 11)
      if (wsi && !fctlWsi) return illegal('IOFENCE.C: WSI = 1 is reserved while fctl.WSI = 0')
      return ok({ kind: 'IOFENCE.C', av: bit(w0, 10), wsi, pr: bit(w0, 12), pw: bit(w0, 13), data: Number(bits(w0, 63, 32)), addr: bits(w1, 61, 0) << 2n })
    }
    case OPCODE_IODIR: {
      // dw0: rsvd 11:10, PID 31:12, rsvd 32, DV 33, rsvd 39:34, DID 63:40; dw1: reserved.
      if (bits(w0, 11, 10) !== 0n || bit(w0, 32) || bits(w0, 39, 34) !== 0n || w1 !== 0n) return illegal('IODIR: a reserved bit is set')
      if (func3 > 1) return illegal(`IODIR: func3 ${func3} is reserved`)
      const pid = Number(bits(w0, 31, 12)), dv = bit(w0, 33), did = Number(bits(w0, 63, 40))
      if (func3 === 0 && pid !== 0) return illegal('IODIR.INVAL_DDT: the PID operand is reserved')
      if (func3 === 1 && !dv) return illegal('IODIR.INVAL_PDT with DV = 0')
      if (func3 === 1 && pid >= 1 << (caps.pd20 ? 20 : caps.pd17 ? 17 : 8)) return illegal('IODIR.INVAL_PDT: PID wider than the IOMMU supports')
      return ok({ kind: func3 === 0 ? 'IODIR.INVAL_DDT' : 'IODIR.INVAL_PDT', pid, dv, did })
    }
    case OPCODE_ATS: {
      if (!caps.ats) return illegal('ATS command but capabilities.ATS = 0')
      // dw0: rsvd 11:10, PID 31:12, PV 32, DSV 33, rsvd 39:34, RID 55:40, DSEG 63:56; dw1: PAYLOAD.
      if (bits(w0, 11, 10) !== 0n || bits(w0, 39, 34) !== 0n) return illegal('ATS: a reserved bit is set')
      if (func3 > 1) return illegal(`ATS: func3 ${func3} is reserved`)
      return ok({ kind: func3 === 0 ? 'ATS.INVAL' : 'ATS.PRGR', pid: Number(bits(w0, 31, 12)), pv: bit(w0, 32), dsv: bit(w0, 33),
        rid: Number(bits(w0, 55, 40)), dseg: Number(bits(w0, 63, 56)), payload: w1 })
    }
    default:
      return illegal(opcode >= 64 ? `opcode ${opcode} is designated for custom use (none implemented)` : `opcode ${opcode} is reserved`)
  }
}

const f = (flag: boolean, at: number): bigint => (flag ? 1n << BigInt(at) : 0n)

/** The two doublewords of a command (the inverse of decodeCommand on legal commands). */
export const encodeCommand = (c: Command): readonly [bigint, bigint] => {
  switch (c.kind) {
    case 'IOTINVAL.VMA': case 'IOTINVAL.GVMA':
      return [BigInt(OPCODE_IOTINVAL) | (c.kind === 'IOTINVAL.GVMA' ? 1n << 7n : 0n) | f(c.av, 10) | (BigInt(c.pscid & 0xfffff) << 12n) |
        f(c.pscv, 32) | f(c.gv, 33) | f(c.nl, 34) | (BigInt(c.gscid & 0xffff) << 44n),
      f(c.s, 9) | (((c.addr >> 12n) & mask(52)) << 10n)]
    case 'IOFENCE.C':
      return [BigInt(OPCODE_IOFENCE) | f(c.av, 10) | f(c.wsi, 11) | f(c.pr, 12) | f(c.pw, 13) | (BigInt(c.data >>> 0) << 32n),
        (c.addr >> 2n) & mask(62)]
    case 'IODIR.INVAL_DDT': case 'IODIR.INVAL_PDT':
      return [BigInt(OPCODE_IODIR) | (c.kind === 'IODIR.INVAL_PDT' ? 1n << 7n : 0n) | (BigInt(c.pid & 0xfffff) << 12n) | f(c.dv, 33) | (BigInt(c.did & 0xffffff) << 40n), 0n]
    case 'ATS.INVAL': case 'ATS.PRGR':
      return [BigInt(OPCODE_ATS) | (c.kind === 'ATS.PRGR' ? 1n << 7n : 0n) | (BigInt(c.pid & 0xfffff) << 12n) | f(c.pv, 32) | f(c.dsv, 33) |
        (BigInt(c.rid & 0xffff) << 40n) | (BigInt(c.dseg & 0xff) << 56n), c.payload]
  }
}
