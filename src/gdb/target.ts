// The RISC-V target description GDB reads with qXfer:features:read (GDB manual, "Target Descriptions" ›
// "Standard Target Features" › "RISC-V Features"): org.gnu.gdb.riscv.cpu (x0–x31 by ABI name, pc),
// org.gnu.gdb.riscv.csr (every CSR this model implements for the ISA, GDB register number 65 + CSR number,
// as GDB's riscv-tdep numbers them), and org.gnu.gdb.riscv.virtual with `priv` (as QEMU offers it; here
// bits 1:0 the privilege and bit 2 the V bit, the Debug spec's virtual register). Register access by
// GDB's numbers: `p`/`P` and the `g` packet (x0–x31 and pc, 64-bit little-endian).
import { type Either, left, right } from '../bits/either.ts'
import { type Isa } from '../cpu/isa.ts'
import { withPc, withX, withMode } from '../cpu/hart.ts'
import { type Machine, withHart } from '../machine/machine.ts'
import {
  ABI_NAMES, csrName, decodePrivRegister, implementedCsrs, privRegister, readCsr, writeCsr,
} from '../hypervisor/introspect/registers.ts'
import { csrExists } from '../cpu/csr/access.ts'

/** GDB's RISC-V register numbers (gdb/riscv-tdep.h): x0–x31, pc, f0–f31, then the CSRs, then priv. */
export const REG_PC = 32
export const REG_FIRST_CSR = 65
export const REG_PRIV = REG_FIRST_CSR + 4096

/** Registers the `g` packet carries: x0–x31 and pc (GDB fetches the rest one by one with `p`). */
export const G_REGISTERS = 33

/** The target description for a hart of `isa`: an XML document. */
export const targetXml = (isa: Isa): string => {
  const cpu = ABI_NAMES.map((name, i) =>
    `    <reg name="${name}" bitsize="64" type="${name === 'sp' || name === 'gp' || name === 'tp' ? 'data_ptr' : 'int'}" regnum="${i}"/>`)
  const csrs = implementedCsrs(isa).map((n) => `    <reg name="${csrName(n)}" bitsize="64" type="int" regnum="${REG_FIRST_CSR + n}"/>`)
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    '  <architecture>riscv:rv64</architecture>',
    '  <feature name="org.gnu.gdb.riscv.cpu">',
    ...cpu,
    `    <reg name="pc" bitsize="64" type="code_ptr" regnum="${REG_PC}"/>`,
    '  </feature>',
    '  <feature name="org.gnu.gdb.riscv.csr">',
    ...csrs,
    '  </feature>',
    '  <feature name="org.gnu.gdb.riscv.virtual">',
    `    <reg name="priv" bitsize="64" type="int" regnum="${REG_PRIV}"/>`,
    '  </feature>',
    '</target>',
    '',
  ].join('\n')
}

/** Why a register cannot be read or written. */
export type RegisterError = 'no such register' | 'value not accepted'

/** Register `n` (GDB's numbering) of the machine's hart. */
export const readRegister = (m: Machine, n: number): Either<RegisterError, bigint> => {
  if (n >= 0 && n < 32) return right(m.hart.x[n]!)
  if (n === REG_PC) return right(m.hart.pc)
  if (n === REG_PRIV) return right(privRegister(m.hart))
  if (n >= REG_FIRST_CSR && n < REG_PRIV) {
    const v = readCsr(m, n - REG_FIRST_CSR)
    return v._tag === 'Right' ? v : left('no such register')
  }
  return left('no such register')
}

/** The machine with register `n` written (x0 stays 0; a CSR is legalized as the hart writes it). */
export const writeRegister = (m: Machine, n: number, value: bigint): Either<RegisterError, Machine> => {
  const v = BigInt.asUintN(64, value)
  if (n >= 0 && n < 32) return right(withHart(m, withX(m.hart, n, v)))
  if (n === REG_PC) return right(withHart(m, withPc(m.hart, v)))
  if (n === REG_PRIV) {
    const mode = decodePrivRegister(v, m.isa)
    if (mode === undefined) return left('value not accepted')
    const h = m.hart
    return right(withHart(m, withMode(h, mode.priv, mode.virt)))
  }
  if (n >= REG_FIRST_CSR && n < REG_PRIV && csrExists(n - REG_FIRST_CSR, m.isa)) {
    const w = writeCsr(m, n - REG_FIRST_CSR, v)
    return w._tag === 'Right' ? w : left('value not accepted')
  }
  return left('no such register')
}

// ---- register values in packets: target byte order (little-endian), two hex digits a byte ------------

/** A 64-bit value as 16 hex digits, least significant byte first. */
export const hexLE = (v: bigint): string => {
  let out = ''
  for (let i = 0; i < 8; i++) out += Number((v >> BigInt(8 * i)) & 0xffn).toString(16).padStart(2, '0')
  return out
}

/** 2k hex digits, least significant byte first, as a value; undefined if not hex. */
export const parseHexLE = (text: string): bigint | undefined => {
  if (text.length === 0 || text.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(text)) return undefined
  let v = 0n
  for (let i = text.length - 2; i >= 0; i -= 2) v = (v << 8n) | BigInt(parseInt(text.slice(i, i + 2), 16))
  return v
}

/** The `g` reply: x0–x31 then pc. */
export const allRegisters = (m: Machine): string => [...m.hart.x, m.hart.pc].map(hexLE).join('')

/** The machine with the `G` packet's registers (as many as it carries, x0–x31 then pc), or undefined. */
export const writeAllRegisters = (m: Machine, data: string): Machine | undefined => {
  if (data.length === 0 || data.length % 16 !== 0 || data.length > 16 * G_REGISTERS) return undefined
  let out = m
  for (let n = 0; n * 16 < data.length; n++) {
    const v = parseHexLE(data.slice(n * 16, n * 16 + 16))
    if (v === undefined) return undefined
    const w = writeRegister(out, n, v)
    if (w._tag === 'Left') return undefined
    out = w.right
  }
  return out
}
