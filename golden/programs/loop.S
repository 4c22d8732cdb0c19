# loop: the CPU benchmark's workload (bench/cpu.ts). M-mode, no paging, RV64I only: a 16-instruction
# loop body — ALU, shifts, compare, 64- and 32-bit loads and stores — walking a 64 KiB buffer one
# 16-byte step at a time (wrapping), ITERATIONS times, then exit 0 through HTIF tohost.
# Built twice (build.sh): loop.elf with 1 250 000 iterations (≈ 20 M instructions) for the benchmark,
# loop_short.elf (--defsym SHORT=1) with 100 iterations, whose commit log is checked against Spike's.
.include "prelude.inc"
.option norelax

.ifdef SHORT
.equ ITERATIONS, 100
.else
.equ ITERATIONS, 1250000
.endif
.equ BUFFER_MASK, 0xfff0        # offsets 0, 16, … 65520 in the 64 KiB buffer

.section .text.init
.globl _start
_start:
  START
  CASE 1
  la s7, buffer                  # s7 = buffer base, a1 = offset, a0 = base + offset
  li a1, 0
  mv a0, s7
  li s4, BUFFER_MASK
  li s0, ITERATIONS
  li s1, 0x9e3779b9              # accumulators with some bits set
  li s2, 0x7f4a7c15
loop:
  add t0, s1, s2                 #  1
  ld t1, 0(a0)                   #  2
  xor t2, t1, t0                 #  3
  sd t2, 0(a0)                   #  4
  slli t3, t2, 3                 #  5
  lw t4, 8(a0)                   #  6
  sub t5, t4, t3                 #  7
  sw t5, 12(a0)                  #  8
  srli t6, t5, 5                 #  9
  sltu s3, t6, t1                # 10
  add s1, s1, t6                 # 11
  addi a1, a1, 16                # 12
  and a1, a1, s4                 # 13  wrap inside the buffer
  add a0, s7, a1                 # 14
  addi s0, s0, -1                # 15
  bnez s0, loop                  # 16
  EXIT_PASS

.section .bss
.align 12
buffer: .zero 65536
