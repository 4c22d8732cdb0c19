# sigbasic: a compliance-style signature (RISCOF, riscv-arch-test): the program stores results of I, M
# and A instructions, in every store width, into the region between begin_signature and end_signature,
# which starts filled with 0xdeadbeef words and is 20 bytes long (not a whole line at granularity 8 or
# 16, so the host pads the last line). ISA: rv64ima_zicsr.
.include "prelude.inc"

.section .text.init
.globl _start
_start:
  START
  CASE 1
  la s0, begin_signature
  li t0, 0x0123456789abcdef
  sd t0, 0(s0)                 # bytes 0-7
  li t1, 7
  li t2, 6
  mul t3, t1, t2               # 42
  sw t3, 8(s0)                 # bytes 8-11: 0x0000002a
  li t0, 0xbeef
  sh t0, 12(s0)                # bytes 12-13; byte 15 keeps 0xde of the fill word
  li t0, 0x5a
  sb t0, 14(s0)                # byte 14
  li t0, 1
  addi t1, s0, 16
  amoadd.w t2, t0, (t1)        # bytes 16-19: 0xdeadbeef + 1
  CHECK t2, 0xffffffffdeadbeef # amoadd.w returns the old word, sign-extended
  EXIT_PASS

.section .data
.align 4
.globl begin_signature
begin_signature:
  .fill 5, 4, 0xdeadbeef
.globl end_signature
end_signature:
  .fill 3, 4, 0xdeadbeef       # after the signature: never dumped
