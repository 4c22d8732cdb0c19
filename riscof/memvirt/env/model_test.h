// The target-specific macros riscv-arch-test tests expand (RVMODEL_*), for memvirt: the test ends by
// writing 1 (exit code 0, HTIF's "exit" command) to tohost; the signature lies between begin_signature
// and end_signature, which `memvirt run +signature=FILE` dumps; the machine software interrupt is the
// CLINT's msip at 0x200_0000 (Spike's platform).
#ifndef _MEMVIRT_MODEL_TEST_H
#define _MEMVIRT_MODEL_TEST_H

#define RVMODEL_DATA_SECTION                                   \
  .pushsection .tohost, "aw", @progbits;                       \
  .balign 64; .global tohost; tohost: .dword 0;                \
  .balign 64; .global fromhost; fromhost: .dword 0;            \
  .popsection;

// Exit through HTIF: tohost = (0 << 1) | 1, then wait for the host.
#define RVMODEL_HALT                                           \
  li t0, 1;                                                    \
  la t1, tohost;                                               \
1:                                                             \
  sd t0, 0(t1);                                                \
  j 1b;

// memvirt's boot ROM jumps straight to the entry point: nothing to set up.
#define RVMODEL_BOOT

#define RVMODEL_DATA_BEGIN                                     \
  RVMODEL_DATA_SECTION                                         \
  .balign 16;                                                  \
  .global begin_signature; begin_signature:

#define RVMODEL_DATA_END                                       \
  .balign 16;                                                  \
  .global end_signature; end_signature:

// No console output in compliance runs.
#define RVMODEL_IO_INIT
#define RVMODEL_IO_WRITE_STR(_R, _STR)
#define RVMODEL_IO_CHECK()
#define RVMODEL_IO_ASSERT_GPR_EQ(_S, _R, _I)
#define RVMODEL_IO_ASSERT_SFPR_EQ(_F, _R, _I)
#define RVMODEL_IO_ASSERT_DFPR_EQ(_D, _R, _I)

// The CLINT's msip register for hart 0 drives MSIP; timer and external interrupts need no clearing here.
#define RVMODEL_SET_MSW_INT                                    \
  li t1, 1;                                                    \
  li t2, 0x2000000;                                            \
  sw t1, 0(t2);

#define RVMODEL_CLEAR_MSW_INT                                  \
  li t2, 0x2000000;                                            \
  sw zero, 0(t2);

#define RVMODEL_CLEAR_MTIMER_INT
#define RVMODEL_CLEAR_MEXT_INT

#endif
