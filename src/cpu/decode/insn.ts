// The decoded instruction: a readonly tagged union, one member per encoding format of the RISC-V
// unprivileged ISA (chapter "RV32I Base Integer Instruction Set", §"Base Instruction Formats" and
// §"Immediate Encoding Variants") plus the formats of the A, Zicsr, privileged and H extensions.
// A compressed (RVC) instruction decodes to the member of its 32-bit expansion, with `length` 2.

// ---------------------------------------------------------------------------------------------
// Operand conventions
// ---------------------------------------------------------------------------------------------
// rd, rs1, rs2 are register numbers 0–31. `imm` is the immediate's mathematical value as a signed
// bigint, already sign-extended and scrambled back into place as the spec's figure for the format
// shows (e.g. a B-type imm is even and lies in [-4096, 4094]); add it to an XLEN value and wrap
// with `u64`. `shamt`, `uimm`, `csr`, `pred`, `succ`, `fm` are small unsigned numbers.

/** Instruction length in bytes: 4 for a 32-bit encoding, 2 for a compressed one. */
export type Length = 2 | 4

/** R-type register–register operations (RV64I OP/OP-32 and the M extension). */
export type ROp =
  | 'add' | 'sub' | 'sll' | 'slt' | 'sltu' | 'xor' | 'srl' | 'sra' | 'or' | 'and'
  | 'addw' | 'subw' | 'sllw' | 'srlw' | 'sraw'
  | 'mul' | 'mulh' | 'mulhsu' | 'mulhu' | 'div' | 'divu' | 'rem' | 'remu'
  | 'mulw' | 'divw' | 'divuw' | 'remw' | 'remuw'

/** I-type operations: register–immediate arithmetic, loads and JALR. */
export type IOp =
  | 'addi' | 'slti' | 'sltiu' | 'xori' | 'ori' | 'andi' | 'addiw'
  | 'lb' | 'lh' | 'lw' | 'ld' | 'lbu' | 'lhu' | 'lwu'
  | 'jalr'

/** Shifts by an immediate amount (I-type with a shamt field: 6 bits for RV64, 5 for the *W forms). */
export type ShiftOp = 'slli' | 'srli' | 'srai' | 'slliw' | 'srliw' | 'sraiw'

/** S-type stores. */
export type SOp = 'sb' | 'sh' | 'sw' | 'sd'

/** B-type conditional branches. */
export type BOp = 'beq' | 'bne' | 'blt' | 'bge' | 'bltu' | 'bgeu'

/** U-type: the immediate is imm[31:12] << 12, sign-extended from bit 31. */
export type UOp = 'lui' | 'auipc'

/** A extension: LR/SC and the AMOs (R-type with aq/rl bits). LR has rs2 = 0. */
export type AmoOp =
  | 'lr.w' | 'sc.w' | 'amoswap.w' | 'amoadd.w' | 'amoxor.w' | 'amoand.w' | 'amoor.w'
  | 'amomin.w' | 'amomax.w' | 'amominu.w' | 'amomaxu.w'
  | 'lr.d' | 'sc.d' | 'amoswap.d' | 'amoadd.d' | 'amoxor.d' | 'amoand.d' | 'amoor.d'
  | 'amomin.d' | 'amomax.d' | 'amominu.d' | 'amomaxu.d'

/** Zicsr with a register source. */
export type CsrOp = 'csrrw' | 'csrrs' | 'csrrc'
/** Zicsr with a 5-bit zero-extended immediate (uimm) in the rs1 field. */
export type CsrIOp = 'csrrwi' | 'csrrsi' | 'csrrci'

/** Instructions without operands: environment calls, trap returns, WFI, FENCE.I. */
export type SystemOp = 'ecall' | 'ebreak' | 'mret' | 'sret' | 'wfi' | 'fence.i'

/** Address-translation fences with rs1 (address) and rs2 (ASID / VMID) operands. */
export type FenceVmaOp = 'sfence.vma' | 'hfence.vvma' | 'hfence.gvma'

/** Hypervisor virtual-machine loads (HLV/HLVX), rd ← mem[rs1] as VS/VU would see it. */
export type HlvOp =
  | 'hlv.b' | 'hlv.bu' | 'hlv.h' | 'hlv.hu' | 'hlvx.hu' | 'hlv.w' | 'hlv.wu' | 'hlvx.wu' | 'hlv.d'
/** Hypervisor virtual-machine stores (HSV), mem[rs1] ← rs2. */
export type HsvOp = 'hsv.b' | 'hsv.h' | 'hsv.w' | 'hsv.d'

export type RType = {
  readonly _tag: 'R'; readonly op: ROp; readonly length: Length
  readonly rd: number; readonly rs1: number; readonly rs2: number
}
export type IType = {
  readonly _tag: 'I'; readonly op: IOp; readonly length: Length
  readonly rd: number; readonly rs1: number; readonly imm: bigint
}
export type ShiftType = {
  readonly _tag: 'Shift'; readonly op: ShiftOp; readonly length: Length
  readonly rd: number; readonly rs1: number; readonly shamt: number
}
export type SType = {
  readonly _tag: 'S'; readonly op: SOp; readonly length: Length
  readonly rs1: number; readonly rs2: number; readonly imm: bigint
}
export type BType = {
  readonly _tag: 'B'; readonly op: BOp; readonly length: Length
  readonly rs1: number; readonly rs2: number; readonly imm: bigint
}
export type UType = {
  readonly _tag: 'U'; readonly op: UOp; readonly length: Length
  readonly rd: number; readonly imm: bigint
}
export type JType = {
  readonly _tag: 'J'; readonly op: 'jal'; readonly length: Length
  readonly rd: number; readonly imm: bigint
}
export type AmoType = {
  readonly _tag: 'Amo'; readonly op: AmoOp; readonly length: Length
  readonly rd: number; readonly rs1: number; readonly rs2: number
  readonly aq: boolean; readonly rl: boolean
}
/** FENCE: fm, predecessor and successor sets (bits I, O, R, W = 8, 4, 2, 1). FENCE.TSO is fm = 8. */
export type FenceType = {
  readonly _tag: 'Fence'; readonly op: 'fence'; readonly length: Length
  readonly fm: number; readonly pred: number; readonly succ: number
}
export type CsrType = {
  readonly _tag: 'Csr'; readonly op: CsrOp; readonly length: Length
  readonly rd: number; readonly rs1: number; readonly csr: number
}
export type CsrIType = {
  readonly _tag: 'CsrI'; readonly op: CsrIOp; readonly length: Length
  readonly rd: number; readonly uimm: number; readonly csr: number
}
export type SystemType = { readonly _tag: 'System'; readonly op: SystemOp; readonly length: Length }
export type FenceVmaType = {
  readonly _tag: 'FenceVma'; readonly op: FenceVmaOp; readonly length: Length
  readonly rs1: number; readonly rs2: number
}
export type HlvType = {
  readonly _tag: 'Hlv'; readonly op: HlvOp; readonly length: Length
  readonly rd: number; readonly rs1: number
}
export type HsvType = {
  readonly _tag: 'Hsv'; readonly op: HsvOp; readonly length: Length
  readonly rs1: number; readonly rs2: number
}
/**
 * An encoding this model does not implement or the spec reserves. `bits` is the raw parcel
 * (16 or 32 bits, unsigned), which an illegal-instruction trap writes to xtval.
 */
export type Illegal = {
  readonly _tag: 'Illegal'; readonly op: 'illegal'; readonly length: Length; readonly bits: number
}

/** A decoded RV64IMAC + Zicsr + Zifencei + privileged + H instruction. */
export type Insn =
  | RType | IType | ShiftType | SType | BType | UType | JType | AmoType | FenceType
  | CsrType | CsrIType | SystemType | FenceVmaType | HlvType | HsvType | Illegal

/** Every mnemonic an Insn can carry. */
export type Op = Insn['op']

// ---------------------------------------------------------------------------------------------
// Constructors (one per format; they fix the property order so every Insn of a format shares
// one hidden class, which keeps the executor's dispatch monomorphic per format)
// ---------------------------------------------------------------------------------------------

export const rType = (op: ROp, rd: number, rs1: number, rs2: number, length: Length = 4): RType =>
  ({ _tag: 'R', op, length, rd, rs1, rs2 })
export const iType = (op: IOp, rd: number, rs1: number, imm: bigint, length: Length = 4): IType =>
  ({ _tag: 'I', op, length, rd, rs1, imm })
export const shiftType = (op: ShiftOp, rd: number, rs1: number, shamt: number, length: Length = 4): ShiftType =>
  ({ _tag: 'Shift', op, length, rd, rs1, shamt })
export const sType = (op: SOp, rs1: number, rs2: number, imm: bigint, length: Length = 4): SType =>
  ({ _tag: 'S', op, length, rs1, rs2, imm })
export const bType = (op: BOp, rs1: number, rs2: number, imm: bigint, length: Length = 4): BType =>
  ({ _tag: 'B', op, length, rs1, rs2, imm })
export const uType = (op: UOp, rd: number, imm: bigint, length: Length = 4): UType =>
  ({ _tag: 'U', op, length, rd, imm })
export const jType = (rd: number, imm: bigint, length: Length = 4): JType =>
  ({ _tag: 'J', op: 'jal', length, rd, imm })
export const amoType = (op: AmoOp, rd: number, rs1: number, rs2: number, aq: boolean, rl: boolean): AmoType =>
  ({ _tag: 'Amo', op, length: 4, rd, rs1, rs2, aq, rl })
export const fenceType = (fm: number, pred: number, succ: number): FenceType =>
  ({ _tag: 'Fence', op: 'fence', length: 4, fm, pred, succ })
export const csrType = (op: CsrOp, rd: number, rs1: number, csr: number): CsrType =>
  ({ _tag: 'Csr', op, length: 4, rd, rs1, csr })
export const csrIType = (op: CsrIOp, rd: number, uimm: number, csr: number): CsrIType =>
  ({ _tag: 'CsrI', op, length: 4, rd, uimm, csr })
export const systemType = (op: SystemOp, length: Length = 4): SystemType =>
  ({ _tag: 'System', op, length })
export const fenceVmaType = (op: FenceVmaOp, rs1: number, rs2: number): FenceVmaType =>
  ({ _tag: 'FenceVma', op, length: 4, rs1, rs2 })
export const hlvType = (op: HlvOp, rd: number, rs1: number): HlvType =>
  ({ _tag: 'Hlv', op, length: 4, rd, rs1 })
export const hsvType = (op: HsvOp, rs1: number, rs2: number): HsvType =>
  ({ _tag: 'Hsv', op, length: 4, rs1, rs2 })
export const illegal = (bits: number, length: Length): Illegal =>
  ({ _tag: 'Illegal', op: 'illegal', length, bits })

// ---------------------------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------------------------

/** True for an encoding the decoder rejected (reserved, or outside RV64IMAC + Zicsr + Zifencei + H). */
export const isIllegal = (i: Insn): i is Illegal => i._tag === 'Illegal'
