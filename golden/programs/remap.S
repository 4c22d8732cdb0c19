# remap: a page-table-heavy guest for the nested-vs-shadow cost table (issue 15, bench/shadow.ts). A
# guest kernel at V=1 (VS-mode, Sv39 over Sv39x4, 4 KiB leaves in both stages, so a nested TLB miss reads
# up to (3 + 1) · (3 + 1) − 1 = 15 PTEs) runs ROUNDS rounds over a window of PAGES pages at GVA
# 0x4000_0000. Each round first remaps one page — it rewrites that page's own VS-stage leaf (PPN xor 1:
# frame r ↔ frame r ^ 1) and orders the store with SFENCE.VMA of that address (Priv. ISA §"Supervisor
# Memory-Management Fence Instruction"; at V=1 it fences VS-stage translations, H §"Hypervisor
# Memory-Management Fence Instructions") — then touches every page of the window once with AMOADD.D
# (+1 to its first dword). At the end the guest reads every frame's counter through its identity map
# and hands the sum to the firmware with ECALL (cause 10, ecall from VS), which exits with 0 when the
# sum is ROUNDS · PAGES (each touch adds 1 to exactly one frame, whatever the window maps).
# Built twice (build.sh):
#   remap_often.elf   PAGES = 2, ROUNDS = 128: a remap (a PTE store, a fence) every two touches; the
#                     working set fits the TLB, so nearly every TLB miss follows a remap.
#   remap_rare.elf    PAGES = 128, ROUNDS = 12: a remap every 128 touches; 128 pages sweep through a
#                     64-entry TLB (16 sets × 4 ways, LRU), so every touch is a TLB miss.
# ISA: rv64imah_zicsr. No trap is expected but the final ECALL.
#
# Memory (guest-physical = host-physical: the G-stage maps GPA 0x8000_0000 … +2 MiB 1:1 with 4 KiB leaves):
#   0x8000_0000 …   this program: code, tohost, then .data with the tables below
#   0x8010_0000 …   FRAMES: PAGES zeroed 4 KiB frames, frame i first mapped at GVA 0x4000_0000 + i · 4 KiB
# The guest's Sv39 tables: root[1] → wl1 → wl0 (the window), root[2] → il1 → il0 (GVA 0x8000_0000 … +2 MiB
# identity, kernel read/write/execute: its code, its own tables, the frames).
# Registers: the guest uses a0–a2, s0, s1, s6, s7, s9–s11 and t0–t3; the firmware's trap handler (prelude)
# uses s2–s5, s8.
.equ HAS_H, 1
.include "prelude.inc"
.option norelax

.equ FRAMES, 0x80100000
.equ WINDOW, 0x40000000
.equ SATP_SV39, 8 << 60
.equ G_LEAF, LEAF_RWX | PTE_U   # G-stage leaves need U = 1 (H §"Guest Physical Address Translation")
.equ IDENTITY_PAGES, 512        # 2 MiB from 0x8000_0000 in both stages

# ---- M-mode firmware: the page tables' pointers, hgatp and vsatp, then the guest at V=1 ---------------
.section .text.init
.globl _start
_start:
  START
  CASE 1
  PTE_AT groot, 2, gl1, PTE_V    # Sv39x4: GPA 0x8000_0000 → root index 2
  PTE_AT gl1, 0, gl0, PTE_V
  PTE_AT root, 1, wl1, PTE_V     # the guest's: GVA 0x4000_0000 …
  PTE_AT wl1, 0, wl0, PTE_V
  PTE_AT root, 2, il1, PTE_V     # … and GVA 0x8000_0000 …
  PTE_AT il1, 0, il0, PTE_V
  la t0, groot
  srli t0, t0, 12
  li t1, SATP_SV39
  or t0, t0, t1
  csrw hgatp, t0
  la t0, root
  srli t0, t0, 12
  li t1, SATP_SV39
  or t0, t0, t1
  csrw vsatp, t0
  EXPECT done                    # the guest's ECALL (or any trap) resumes at done, in M (s8 = 1)
  li s8, 1
  li t0, 1 << 39                 # mstatus.MPV = 1 with MPP = S: mret enters VS
  csrs mstatus, t0
  ENTER_S guest

done:
  CASE 2
  CHECK s2, 10                   # mcause: ECALL from VS-mode
  CASE 3
  CHECK a0, ROUNDS * PAGES        # the counters add up to the number of touches
  EXIT_PASS

# ---- the guest kernel (VS-mode, at its identity GVA) ---------------------------------------------------
.section .text
guest:
  li s9, WINDOW
  la s10, wl0                    # the window's leaves, through the identity map (GVA = GPA)
  li s11, 1 << 10                # PPN bit 0: frame i ↔ frame i ^ 1
  li s7, 4096
  li t4, 1
  li s0, ROUNDS
  li s1, 0                       # r: the page this round remaps
round:
  slli t1, s1, 3
  add t1, s10, t1
  ld t2, 0(t1)                   # page r's leaf …
  xor t2, t2, s11
  sd t2, 0(t1)                   # … now maps frame r ^ 1
  slli t0, s1, 12
  add a1, s9, t0
  sfence.vma a1, zero            # (Spike's TLB, which memvirt's reproduces, drops every entry here)
  addi s1, s1, 1
  andi s1, s1, PAGES - 1
  mv a1, s9                      # touch every page of the window once: +1 to its first dword
  li a2, PAGES / 2
1: amoadd.d zero, t4, (a1)
  add a1, a1, s7
  amoadd.d zero, t4, (a1)
  add a1, a1, s7
  addi a2, a2, -1
  bnez a2, 1b
  addi s0, s0, -1
  bnez s0, round
  # The sum of every frame's counter, read through the identity map.
  li a1, FRAMES
  li a2, PAGES
  li a0, 0
1: ld t3, 0(a1)
  add a0, a0, t3
  add a1, a1, s7
  addi a2, a2, -1
  bnez a2, 1b
  ecall

# ---- the tables: leaves assembled here (their frames are at fixed addresses), pointers set at boot ------
.section .data
.align 14
groot: .zero 16384               # Sv39x4 root: 16 KiB, 16 KiB-aligned
gl1: .zero 4096
gl0:                             # G-stage: GPA 0x8000_0000 + i · 4 KiB → the same host address
.set i, 0
.rept IDENTITY_PAGES
  .dword (((0x80000000 + i * 4096) >> 12) << 10) | G_LEAF
  .set i, i + 1
.endr
root: .zero 4096                 # the guest's tables (in guest-physical memory, here = host memory)
wl1: .zero 4096
il1: .zero 4096
il0:                             # VS-stage identity: kernel pages, U = 0
.set i, 0
.rept IDENTITY_PAGES
  .dword (((0x80000000 + i * 4096) >> 12) << 10) | LEAF_RWX
  .set i, i + 1
.endr
wl0:                             # the window: page i → frame i
.set i, 0
.rept PAGES
  .dword (((FRAMES + i * 4096) >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  .set i, i + 1
.endr
.align 12
