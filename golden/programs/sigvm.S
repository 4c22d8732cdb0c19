# sigvm: a signature written through Sv39 translation. S-mode stores a doubleword through an alias
# gigapage (VA 0x4000_0000 + x maps to PA 0x8000_0000 + x), reads it back through the identity gigapage
# and stores the copy; then a store to an unmapped VA faults (store page fault, cause 15) into M-mode,
# which writes mcause and mtval into the signature. ISA: rv64ima_zicsr.
.include "prelude.inc"

.section .text.init
.globl _start
_start:
  START
  CASE 1
  PTE_NUM root, 2, 0x80000000, LEAF_RWX                                      # VA 0x8000_0000: identity
  PTE_NUM root, 1, 0x80000000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D         # VA 0x4000_0000: alias
  la t0, root
  srli t0, t0, 12
  li t1, 8 << 60               # MODE = Sv39
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
  li t0, -1                    # PMP entry 0: NAPOT over all memory, RWX (Spike's reset state already;
  csrw pmpaddr0, t0            # QEMU's has no entry, which would refuse S-mode accesses)
  li t0, 0x1f
  csrw pmpcfg0, t0
  ENTER_S s_code

s_code:
  CASE 2
  la t0, begin_signature       # pc-relative: the identity address
  li t1, 0x40000000
  sub t2, t0, t1               # the same bytes through the alias
  li t3, 0x1122334455667788
  sd t3, 0(t2)
  ld t4, 0(t0)
  sd t4, 8(t0)
  li s8, 1                     # resume in M-mode after the trap
  EXPECT m_again
  li t5, 0xc0000000            # VPN[2] = 3: no PTE, a store page fault
  sd t3, 0(t5)
  j fail

m_again:
  CASE 3
  la t0, begin_signature
  sd s2, 16(t0)                # mcause = 15
  sd s3, 24(t0)                # mtval = 0xc0000000
  EXIT_PASS

.section .data
.align 4
.globl begin_signature
begin_signature:
  .fill 8, 4, 0
.globl end_signature
end_signature:

.section .bss
.align 12
root: .fill 512, 8, 0
