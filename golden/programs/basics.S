# basics: RV64I/M/C arithmetic, loads and stores, jumps, A (LR/SC, AMOs), Zicsr on mscratch, Zicntr.
# M-mode only. ISA: rv64imac_zicsr_zifencei_zicntr. Expected values worked out by hand from the
# unprivileged spec's definitions (e.g. DIV by zero = all ones, REM by zero = dividend).
.include "prelude.inc"

.section .text.init
.globl _start
_start:
  START

  CASE 1                       # ADD/SUB wrap modulo 2^64
  li a0, -1
  addi a1, a0, 2
  CHECK a1, 1
  sub a2, zero, a1
  CHECK a2, -1

  CASE 2                       # W forms sign-extend bit 31
  li a0, 0x7fffffff
  addiw a1, a0, 1
  CHECK a1, 0xffffffff80000000
  li a0, 0x100000000
  addw a1, a0, zero
  CHECK a1, 0
  subw a2, zero, a0
  CHECK a2, 0

  CASE 3                       # shifts: amounts are taken mod 64 (mod 32 for W)
  li a0, 1
  li a1, 65
  sll a2, a0, a1
  CHECK a2, 2
  li a0, -8
  srai a1, a0, 1
  CHECK a1, -4
  srli a2, a0, 60
  CHECK a2, 15
  li a3, 33
  sllw a4, a0, a3              # 33 mod 32 = 1: -8 << 1 = -16
  CHECK a4, -16
  sraiw a5, a0, 31
  CHECK a5, -1

  CASE 4                       # comparisons: signed vs unsigned
  li a0, -1
  li a1, 1
  slt a2, a0, a1
  CHECK a2, 1
  sltu a3, a0, a1
  CHECK a3, 0
  sltiu a4, zero, 1            # seqz
  CHECK a4, 1
  slti a5, a1, -1
  CHECK a5, 0

  CASE 5                       # LUI/AUIPC
  lui a0, 0x80000              # sign-extended: 0xffffffff80000000
  CHECK a0, 0xffffffff80000000
1: auipc a1, 0
  la a2, 1b
  bne a1, a2, fail

  CASE 6                       # M: multiply high parts
  li a0, -1
  li a1, -1
  mulh a2, a0, a1              # (-1)(-1) = 1: high part 0
  CHECK a2, 0
  mulhu a3, a0, a1             # (2^64-1)^2 >> 64 = 2^64 - 2
  CHECK a3, -2
  mulhsu a4, a0, a1            # -1 * (2^64-1) = -(2^64-1): high part -1
  CHECK a4, -1
  li a0, 0x12345678
  mulw a5, a0, a0              # low 32 bits of 0x14b66dc1df4d840 = 0x1df4d840, positive
  CHECK a5, 0x1df4d840

  CASE 7                       # M: division corner cases
  li a0, 7
  div a1, a0, zero
  CHECK a1, -1
  rem a2, a0, zero
  CHECK a2, 7
  li a3, 0x8000000000000000
  li a4, -1
  div a5, a3, a4               # overflow: quotient = dividend
  CHECK a5, 0x8000000000000000
  rem a6, a3, a4
  CHECK a6, 0
  li a0, -7
  li a1, 2
  div a2, a0, a1               # rounds toward zero
  CHECK a2, -3
  rem a3, a0, a1               # sign of the dividend
  CHECK a3, -1
  divuw a4, a0, a1             # 0xfffffff9 / 2 = 0x7ffffffc
  CHECK a4, 0x7ffffffc
  remw a5, a0, zero
  CHECK a5, -7

  CASE 8                       # loads sign/zero-extend; stores merge bytes
  la s0, buffer
  li a0, 0x8877665544332211
  sd a0, 0(s0)
  lb a1, 7(s0)
  CHECK a1, 0xffffffffffffff88
  lbu a2, 7(s0)
  CHECK a2, 0x88
  lh a3, 6(s0)
  CHECK a3, 0xffffffffffff8877
  lwu a4, 4(s0)
  CHECK a4, 0x88776655
  lw a5, 4(s0)
  CHECK a5, 0xffffffff88776655
  sb zero, 0(s0)
  sh zero, 2(s0)
  ld a6, 0(s0)
  CHECK a6, 0x8877665500002200
  li a7, -1
  sw a7, -4(s0)                # negative offset into the word before buffer
  lwu a7, -4(s0)
  CHECK a7, 0xffffffff

  CASE 9                       # JAL/JALR link values and a backward loop
  jal ra, 1f
2: j 3f
1: la t0, 2b
  bne ra, t0, fail
  jalr t1, 0(ra)
3: li a0, 0
  li a1, 10
4: add a0, a0, a1
  addi a1, a1, -1
  bnez a1, 4b
  CHECK a0, 55

  CASE 10                      # C: explicit compressed forms
  c.li a0, 5
  c.addi a0, -3
  CHECK a0, 2
  c.mv a1, a0
  c.add a1, a0
  CHECK a1, 4
  c.slli a1, 4
  CHECK a1, 64
  la s0, buffer
  c.sd a1, 8(s0)
  c.ld a2, 8(s0)
  CHECK a2, 64
  c.beqz a2, fail
  c.lui a3, 1
  CHECK a3, 0x1000
  c.nop

  CASE 11                      # A: LR/SC pairs
  la s0, buffer
  li a0, 100
  sd a0, 16(s0)
  lr.d a1, (s0)                # reserve buffer+0
  addi s1, s0, 16
  li a2, 7
  sc.d a3, a2, (s1)            # different address: fails, memory unchanged
  CHECK a3, 1
  ld a4, 16(s0)
  CHECK a4, 100
  lr.d a1, (s1)
  sc.d a3, a2, (s1)
  CHECK a3, 0
  ld a4, 16(s0)
  CHECK a4, 7
  sc.d a3, a2, (s1)            # reservation consumed: fails
  CHECK a3, 1

  CASE 12                      # A: AMOs return the old value
  li a0, 5
  sd a0, 24(s0)
  addi s1, s0, 24
  li a1, -9
  amoadd.d a2, a1, (s1)
  CHECK a2, 5
  amomin.d a3, a0, (s1)        # min(-4, 5) = -4 stays
  CHECK a3, -4
  amomaxu.d a4, a0, (s1)       # maxu(2^64-4, 5) stays
  CHECK a4, -4
  amoswap.d.aqrl a5, a0, (s1)
  ld a6, 24(s0)
  CHECK a6, 5
  li a0, 0x80000000
  sw a0, 32(s0)
  addi s1, s0, 32
  amoor.w a7, zero, (s1)       # old word sign-extended
  CHECK a7, 0xffffffff80000000

  CASE 13                      # Zicsr on mscratch
  li a0, 0xf0
  csrw mscratch, a0
  csrrsi a1, mscratch, 0xf
  CHECK a1, 0xf0
  csrrc a2, mscratch, a0
  CHECK a2, 0xff
  csrr a3, mscratch
  CHECK a3, 0xf
  csrrwi a4, mscratch, 0
  CHECK a4, 0xf

  CASE 14                      # Zicntr: instret counts retired instructions
  rdinstret a0
  nop
  nop
  rdinstret a1
  sub a2, a1, a0
  CHECK a2, 3
  csrr a3, minstret            # sub, li, bne and rdinstret itself retired since a1 was read
  sub a4, a3, a1
  CHECK a4, 4
  rdcycle a5
  rdcycle a6
  bgeu a5, a6, fail

  CASE 15                      # FENCE and FENCE.I
  fence
  fence rw, rw
  fence.i
  EXIT_PASS

.section .data
.align 3
.dword 0
buffer:
.zero 64
