// The GDB remote-protocol session over a machine, one packet clause per test (GDB manual, "Remote
// Protocol" › "Packets", "Stop Reply Packets", "General Query Packets", "Target Descriptions").
// Expected values come from golden/programs/sv39.S (its tables and stores) and the RISC-V encodings.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Answer, type Session, defaultConfig, handlePacket, interrupt, newSession, resume } from '../../src/gdb/session.ts'
import { loadGolden, runTo } from '../hypervisor/introspect/programs.ts'

const sv39 = loadGolden('sv39', 'rv64ima_zicsr')
const sym = (name: string): bigint => sv39.elf.symbols.get(name)!.value
const config = { ...defaultConfig, elf: sv39.elf }
const fresh = (): Session => newSession(sv39.machine, config)
const hex = (n: bigint): string => n.toString(16)
const le64 = (v: bigint): string => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn).toString(16).padStart(2, '0')).join('')
const textHex = (t: string): string => Array.from(new TextEncoder().encode(t), (b) => b.toString(16).padStart(2, '0')).join('')
const fromHex = (h: string): string => new TextDecoder().decode(Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16)))

/** Sends packets in order; returns the last answer. */
const send = (s: Session, ...packets: string[]): Answer => {
  let a: Answer = { session: s, replies: [] }
  for (const p of packets) a = handlePacket(a.session, p)
  return a
}
/** Resumes until the session stops (the stub's shell does this between interrupt checks). */
const untilStopped = (a: Answer): Answer => {
  let r = a
  while (r.session.running !== undefined) r = resume(r.session)
  return r
}
const reply = (a: Answer): string => a.replies[a.replies.length - 1]!

test('"General Query Packets" qSupported: PacketSize, qXfer:features:read+, QStartNoAckMode+, reverse execution', () => {
  const r = reply(send(fresh(), 'qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+'))
  for (const f of ['PacketSize=4000', 'qXfer:features:read+', 'QStartNoAckMode+', 'ReverseStep+', 'ReverseContinue+']) assert.ok(r.split(';').includes(f), f)
})

test('"Target Descriptions" (RISC-V Features): cpu x0–x31 and pc, CSRs at 65 + number, priv in org.gnu.gdb.riscv.virtual', () => {
  let xml = ''
  let s = fresh()
  for (let off = 0; ; off += 0x200) {
    const a = send(s, `qXfer:features:read:target.xml:${hex(BigInt(off))},200`)
    s = a.session
    xml += reply(a).slice(1)
    if (reply(a).startsWith('l')) break
    assert.ok(reply(a).startsWith('m'))
  }
  assert.match(xml, '<feature name="org.gnu.gdb.riscv.cpu">')
  assert.match(xml, '<reg name="zero" bitsize="64" type="int" regnum="0"/>')
  assert.match(xml, '<reg name="pc" bitsize="64" type="code_ptr" regnum="32"/>')
  assert.match(xml, '<reg name="mstatus" bitsize="64" type="int" regnum="833"/>')   // 65 + 0x300
  assert.match(xml, '<reg name="satp" bitsize="64" type="int" regnum="449"/>')      // 65 + 0x180
  assert.match(xml, '<reg name="priv" bitsize="64" type="int" regnum="4161"/>')     // 65 + 4096
  assert.not.match(xml, 'name="hgatp"')                                              // no H in rv64ima_zicsr
  assert.is(reply(send(fresh(), 'qXfer:features:read:other.xml:0,100')), 'E00')
})

test('"Packets" ?: the reason the target halted; out of reset, a SIGTRAP (S05)', () => {
  assert.is(reply(send(fresh(), '?')), 'S05')
})

test('"Packets" g: x0–x31 then pc, each 64-bit little-endian; out of reset pc = 0x1000 (Spike\'s boot ROM)', () => {
  const g = reply(send(fresh(), 'g'))
  assert.is(g.length, 33 * 16)
  assert.is(g.slice(32 * 16), le64(0x1000n))
})

test('"Packets" p/P: one register by number (pc 0x20, priv 0x1041 = M-mode 3, a CSR at 65 + number); P writes', () => {
  assert.is(reply(send(fresh(), 'p20')), le64(0x1000n))
  assert.is(reply(send(fresh(), 'p1041')), le64(3n))
  assert.is(reply(send(fresh(), `p${hex(65n + 0xf14n)}`)), le64(0n))                 // mhartid
  const a = send(fresh(), `P5=${le64(0x1234_5678n)}`, 'p5')
  assert.is(reply(a), le64(0x1234_5678n))
  assert.is(reply(send(fresh(), `P0=${le64(7n)}`, 'p0')), le64(0n))                   // x0 stays 0
  assert.is(reply(send(fresh(), 'p21')), 'E16')                                       // f0: not implemented
  assert.is(reply(send(fresh(), `P1041=${le64(2n)}`)), 'E16')                         // priv 2 is reserved
})

test('"Packets" G: writes x0–x31 and pc from one packet', () => {
  const regs = Array.from({ length: 33 }, (_, i) => le64(i === 32 ? 0x8000_0000n : BigInt(i))).join('')
  const a = send(fresh(), `G${regs}`, 'g')
  assert.is(reply(a), le64(0n) + regs.slice(16))
  assert.is(reply(send(fresh(), 'G12')), 'E01')
})

test('"Packets" m/M: memory by address and length in hex; the boot ROM starts with auipc t0, 0 (0x00000297)', () => {
  assert.is(reply(send(fresh(), 'm1000,4')), '97020000')
  assert.is(reply(send(fresh(), 'm100000,4')), 'E0e')                                 // nothing there
  assert.is(reply(send(fresh(), 'mzz,4')), 'E01')
  const at = hex(sym('page0'))
  assert.is(reply(send(fresh(), `M${at},2:beef`, `m${at},2`)), 'beef')
})

test('"Packets" X: binary data, escaped by the sender and unescaped by the transport (bytes # and } here raw)', () => {
  const at = hex(sym('page0'))
  const a = send(fresh(), `X${at},3:#}\x00`, `m${at},3`)
  assert.is(reply(a), '237d00')
  assert.is(reply(send(fresh(), `X${at},0:`)), 'OK')                                  // GDB's probe
  assert.is(reply(send(fresh(), `X${at},2:#`)), 'E01')                                // length mismatch
})

test('"Packets" Z0/c: a software breakpoint stops a continue at its address (T05)', () => {
  const a = untilStopped(send(fresh(), `Z0,${hex(sym('kernel'))},4`, 'c'))
  assert.is(reply(a), 'T05thread:1;')
  assert.is(a.session.machine.hart.pc, sym('kernel'))
  assert.is(reply(send(a.session, '?')), 'T05thread:1;')
})

test('"Packets" Z1 and z0: a hardware breakpoint stops too; a removed one does not', () => {
  const kernel = sym('kernel')
  const a = untilStopped(send(fresh(), `Z1,${hex(kernel + 4n)},4`, `Z0,${hex(kernel)},4`, `z0,${hex(kernel)},4`, 'c'))
  assert.is(a.session.machine.hart.pc, kernel + 4n)
})

test('"Packets" Z1/Z2: hardware points take the hart\'s Sdtrig triggers (Spike: 4); the fifth is refused with E1c, a removal frees one', () => {
  const kernel = sym('kernel')
  const s0 = fresh()
  assert.is(s0.machine.hart.csr.triggers.length, 4)                 // tselect accepts 0–3 (cpu/csr/debug.ts)
  const four = send(s0, `Z1,${hex(kernel)},4`, `Z1,${hex(kernel + 4n)},4`, `Z1,${hex(kernel + 8n)},4`, 'Z2,40000008,8')
  assert.equal(four.replies, ['OK'])
  assert.is(reply(send(four.session, `Z1,${hex(kernel + 12n)},4`)), 'E1c')
  assert.is(reply(send(four.session, 'Z3,40000000,8')), 'E1c')
  assert.is(reply(send(four.session, `Z1,${hex(kernel)},4`)), 'OK')                  // already inserted: no new trigger
  assert.is(reply(send(four.session, `Z0,${hex(kernel + 12n)},4`)), 'OK')            // software breakpoints take none
  const freed = send(four.session, `z1,${hex(kernel + 4n)},4`, `Z1,${hex(kernel + 12n)},4`)
  assert.is(reply(freed), 'OK')
  const a = untilStopped(send(freed.session, 'c'))
  assert.is(a.session.machine.hart.pc, kernel)
})

test('"Packets" s: one instruction (at kernel: li gp, 2 → pc + 4, gp = 2)', () => {
  const at = runTo(sv39.elf, sv39.machine, 'kernel')
  const a = send(newSession(at, config), 's')
  assert.is(reply(a), 'T05thread:1;')
  assert.is(a.session.machine.hart.pc, sym('kernel') + 4n)
  assert.is(a.session.machine.hart.x[3], 2n)
})

test('"Stop Reply Packets" watch: a Z2 write watchpoint stops before the store, with the address (sd a0, 8(s0) to VA 0x40000008)', () => {
  // RISC-V triggers fire before the access (Debug spec, mcontrol timing 0); GDB's riscv target expects that.
  const at = runTo(sv39.elf, sv39.machine, 'kernel')
  const a = untilStopped(send(newSession(at, config), 'Z2,40000008,8', 'c'))
  assert.is(reply(a), 'T05watch:40000008;thread:1;')
  assert.is(a.session.machine.hart.pc, sym('kernel') + 16n)                    // li gp; lui s0; lui a0; addiw a0 — then the sd
  assert.is(reply(send(a.session, 'm40000008,8')), le64(0n))
  const stepped = send(a.session, 's', 'm40000008,8')
  assert.is(reply(stepped), le64(0x1234n))
  // continuing lets the access that stopped it through once (GDB removes watchpoints to step over it anyway)
  const on = untilStopped(send(a.session, 'c'))
  assert.is(reply(on), 'W00')
})

test('"Stop Reply Packets" rwatch/awatch: Z3 stops at a load, Z4 at either; a partial overlap reports the first watched byte', () => {
  const at = runTo(sv39.elf, sv39.machine, 'kernel')
  // CASE 2 then loads page0+8 through page0's own address (la t0, page0; ld a1, 8(t0)), identity-mapped by root[2].
  const r = untilStopped(send(newSession(at, config), `Z3,${hex(sym('page0') + 12n)},4`, 'c'))
  assert.is(reply(r), `T05rwatch:${hex(sym('page0') + 12n)};thread:1;`)
  const w = untilStopped(send(newSession(at, config), 'Z4,40000008,8', 'c'))
  assert.is(reply(w), 'T05awatch:40000008;thread:1;')
})

test('"Packets" bs: reverse-stepi returns to the state before the last instruction (the store undone)', () => {
  const at = runTo(sv39.elf, sv39.machine, 'kernel')
  const a = untilStopped(send(newSession(at, config), 'Z2,40000008,8', 'c', 's'))    // stopped before the sd, then stepped over it
  assert.is(reply(send(a.session, 'm40000008,8')), le64(0x1234n))
  const back = send(a.session, 'bs')
  assert.is(reply(back), 'T05thread:1;')
  assert.is(reply(send(back.session, 'm40000008,8')), le64(0n))
  assert.is(back.session.machine.hart.pc, a.session.machine.hart.pc - 4n)
})

test('"Packets" bc: reverse-continue stops at a breakpoint met earlier, or at the beginning (replaylog:begin)', () => {
  const kernel = sym('kernel')
  const a = untilStopped(send(fresh(), `Z0,${hex(kernel)},4`, 'c', `z0,${hex(kernel)},4`, 'Z2,40000008,8', 'c'))
  assert.is(reply(a), 'T05watch:40000008;thread:1;')
  const b = send(a.session, 'z2,40000008,8', `Z0,${hex(kernel)},4`, 'bc')
  assert.is(reply(b), 'T05thread:1;')
  assert.is(b.session.machine.hart.pc, kernel)
  const c = send(b.session, 'bc')
  assert.is(reply(c), 'T05replaylog:begin;thread:1;')
  assert.is(c.session.position, 0)
  assert.is(c.session.machine.hart.pc, 0x1000n)
})

test('"Packets" bc from the program\'s exit stops at the last write to a watched address, before the store runs again', () => {
  const first = untilStopped(send(fresh(), 'Z2,40000008,8', 'c'))
  const a = untilStopped(send(first.session, 'c'))                          // no other store there: on to the exit
  assert.is(reply(a), 'W00')
  const b = send(a.session, 'bc')
  assert.match(reply(b), /^T05watch:40000008;/)
  assert.is(b.session.position, first.session.position)                  // the state before the sd, as going forward
})

test('reverse execution is bounded: a window of checkpoints; bs before the earliest kept state reports replaylog:begin', () => {
  const small = newSession(sv39.machine, { ...config, interval: 10, capacity: 3 })
  let s = small
  for (let i = 0; i < 100; i++) s = handlePacket(s, 's').session
  assert.is(s.history.checkpoints.length, 3)
  assert.is(s.history.checkpoints[0]!.index, 80)
  let back = s
  for (let i = 0; i < 20; i++) back = handlePacket(back, 'bs').session
  assert.is(back.position, 80)
  assert.is(reply(handlePacket(back, 'bs')), 'T05replaylog:begin;thread:1;')
  // Replay from a checkpoint rebuilds the same state as the run that recorded it.
  const forward = newSession(sv39.machine, config)
  let f = forward
  for (let i = 0; i < 85; i++) f = handlePacket(f, 's').session
  const b5 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14].reduce((x) => handlePacket(x, 'bs').session, s)
  assert.is(b5.position, 85)
  assert.equal(b5.machine.hart, f.machine.hart)
})

test('"Packets" vCont: vCont? lists c, C, s, S, r; vCont;s steps, vCont;c continues, vCont;r steps while pc is in the range', () => {
  assert.is(reply(send(fresh(), 'vCont?')), 'vCont;c;C;s;S;r')
  const at = runTo(sv39.elf, sv39.machine, 'kernel')
  const k = sym('kernel')
  const st = send(newSession(at, config), 'vCont;s:1')
  assert.is(st.session.machine.hart.pc, k + 4n)
  const r = untilStopped(send(newSession(at, config), `vCont;r${hex(k)},${hex(k + 12n)}:1`))
  assert.is(r.session.machine.hart.pc, k + 12n)
  const c = untilStopped(send(newSession(at, config), `Z0,${hex(k + 8n)},4`, 'vCont;c'))
  assert.is(c.session.machine.hart.pc, k + 8n)
})

test('"Stop Reply Packets" W: the program\'s exit through HTIF ends a continue with its exit code (sv39 passes: W00)', () => {
  assert.is(reply(untilStopped(send(fresh(), 'c'))), 'W00')
})

test('"Interrupts": a continue runs in slices; 0x03 while running stops it with SIGINT (T02)', () => {
  const s = newSession(sv39.machine, { ...config, slice: 10 })
  const a = send(s, 'c')
  assert.equal(a.replies, [])
  assert.ok(a.session.running !== undefined)
  assert.is(a.session.position, 10)
  assert.equal(send(a.session, 'g').replies, [])          // all-stop: packets wait until the stop
  const i = interrupt(a.session)
  assert.is(reply(i), 'T02thread:1;')
  assert.is(i.session.running, undefined)
})

test('"General Query Packets" qRcmd: monitor translate prints the walk trail (hex-encoded O packets, then OK)', () => {
  const at = runTo(sv39.elf, sv39.machine, 'kernel')
  const a = send(newSession(at, config), `qRcmd,${textHex('translate 0x40000008')}`)
  assert.is(reply(a), 'OK')
  const text = a.replies.slice(0, -1).map((r) => fromHex(r.slice(1))).join('')
  assert.match(text, 'load VA 0x0000000040000008 in S-mode')
  assert.match(text, `→ PA 0x${(sym('page0') + 8n).toString(16).padStart(16, '0')}`)
  assert.is((text.match(/S-stage +level/g) ?? []).length, 3)                              // root, l1, l0
})

test('"General Query Packets" qRcmd: monitor physical on|off switches memory packets; monitor stats; unknown commands', () => {
  const at = runTo(sv39.elf, sv39.machine, 'kernel')
  const s = newSession(at, config)
  const on = send(s, `qRcmd,${textHex('physical on')}`)
  assert.is(on.session.physical, true)
  // RAM is identity-mapped for S by sv39's gigapage root[2]: the same bytes either way.
  assert.is(reply(send(on.session, `m${hex(sym('root'))},8`)), reply(send(s, `m${hex(sym('root'))},8`)))
  assert.is(reply(send(s, 'm40000000,1')), '00')
  assert.is(reply(send(on.session, 'm40000000,1')), 'E0e')                              // no RAM at PA 0x40000000
  const stats = send(s, `qRcmd,${textHex('stats')}`).replies.slice(0, -1).map((r) => fromHex(r.slice(1))).join('')
  assert.match(stats, `instructions retired ${at.hart.instret} (minstret)`)
  const unknown = send(s, `qRcmd,${textHex('frobnicate')}`).replies.map((r) => (r === 'OK' ? '' : fromHex(r.slice(1)))).join('')
  assert.match(unknown, 'unknown monitor command "frobnicate"')
  assert.is(reply(send(s, 'qRcmd,zz')), 'E01')
})

test('"Packets" D, k and "General Query Packets" qAttached: detach answers OK, kill has no reply, attached is 1', () => {
  assert.is(reply(send(fresh(), 'qAttached')), '1')
  const d = send(fresh(), 'D')
  assert.is(reply(d), 'OK')
  assert.is(d.session.status, 'detached')
  const k = send(fresh(), 'k')
  assert.equal(k.replies, [])
  assert.is(k.session.status, 'killed')
})

test('"Packets": an unknown packet gets the empty reply; a malformed one E01; QStartNoAckMode answers OK', () => {
  assert.equal(send(fresh(), 'qFrobnicate').replies, [''])
  assert.equal(send(fresh(), 'Z9,1000,4').replies, [''])
  assert.is(reply(send(fresh(), 'Z0,zz,4')), 'E01')
  assert.is(reply(send(fresh(), 'Pzz')), 'E01')
  const n = send(fresh(), 'QStartNoAckMode')
  assert.is(reply(n), 'OK')
  assert.is(n.session.noAck, true)
})

test('H chapter over the protocol: in the guest priv reads 5 (VS), memory packets go through VS- and G-stage, translate shows both', () => {
  const hyp = loadGolden('hyp', 'rv64imah_zicsr')
  const at = runTo(hyp.elf, hyp.machine, 'guest')
  const s = newSession(at, { ...config, elf: hyp.elf })
  assert.is(reply(send(s, 'p1041')), le64(5n))
  assert.is(reply(send(s, 'm40000008,8')), le64(0x8000_0000_fedc_ba98n))              // hyp CASE 4's HSV
  const xml = reply(send(s, 'qXfer:features:read:target.xml:0,3f00'))
  assert.match(xml, '<reg name="hgatp" bitsize="64" type="int" regnum="1729"/>')     // 65 + 0x680
  assert.match(xml, '<reg name="vsatp" bitsize="64" type="int" regnum="705"/>')      // 65 + 0x280
  const text = send(s, `qRcmd,${textHex('translate 0x40000008')}`).replies.slice(0, -1).map((r) => fromHex(r.slice(1))).join('')
  assert.match(text, 'load GVA 0x0000000040000008 in VS-mode')
  assert.match(text, 'G: VS PTE read')
  assert.match(text, 'G: final GPA')
  assert.match(text, 'via GPA 0x0000000100000008')
})

test.run()
