# calls: psABI function calls for call tracing (issue 17): a non-leaf function with a stack frame that
# calls a leaf, and a recursive one, each with its arguments in a0–a1 and its result in a0, ra and s0
# saved on a stack that grows down from stack_top. sum(3) = 3 + 2 + 1 + 0 = 6; scale(5, 7) = twice(5·7) = 70.
# ISA: rv64ima_zicsr.
.include "prelude.inc"

.section .text.init
.globl _start
_start:
  START
  la sp, stack_top
  CASE 1                       # a non-leaf calling a leaf
  li a0, 5
  li a1, 7
  call scale
  CHECK a0, 70
  CASE 2                       # recursion: the same return address in every nested frame
  li a0, 3
  call sum
  CHECK a0, 6
  la t0, stack_top
  bne sp, t0, fail             # every frame popped
  EXIT_PASS

.section .text
.type scale, @function
.globl scale
scale:                         # scale(a, b) = twice(a · b)
  addi sp, sp, -16
  sd ra, 8(sp)
  mul a0, a0, a1
  call twice
  ld ra, 8(sp)
  addi sp, sp, 16
  ret
.size scale, . - scale

.type twice, @function
.globl twice
twice:                         # a leaf: no frame
  add a0, a0, a0
  ret
.size twice, . - twice

.type sum, @function
.globl sum
sum:                           # sum(n) = n + sum(n - 1), sum(0) = 0
  beqz a0, 1f
  addi sp, sp, -16
  sd ra, 8(sp)
  sd s0, 0(sp)
  mv s0, a0
  addi a0, a0, -1
  call sum
  add a0, a0, s0
  ld s0, 0(sp)
  ld ra, 8(sp)
  addi sp, sp, 16
1: ret
.size sum, . - sum

.section .bss
.align 4
stack: .zero 256
stack_top:
