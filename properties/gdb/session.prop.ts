// Laws of the GDB session (GDB manual, "Remote Protocol" › "Packets"): any packet, well-formed or not, is
// answered without throwing; and reverse execution is exact — n steps forward then k reverse steps is the
// state n − k steps forward, however the history's checkpoints fall (replay from the nearest checkpoint).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fc, runs } from '../fc.ts'
import { type Session, defaultConfig, handlePacket, newSession, resume } from '../../src/gdb/session.ts'
import { loadGolden, runSteps } from '../../spec/hypervisor/introspect/programs.ts'
import { differingPages } from '../../src/hypervisor/redundancy/same-state.ts'

const sv39 = loadGolden('sv39', 'rv64ima_zicsr')
const config = { ...defaultConfig, elf: sv39.elf, slice: 50 }
const start = newSession(runSteps(sv39.machine, 60), config)

const PREFIXES = ['?', 'g', 'G', 'p', 'P', 'm', 'M', 'X', 'c', 's', 'C', 'S', 'vCont', 'vCont;', 'vCont?', 'Z', 'z', 'b', 'bs', 'bc',
  'qSupported', 'qXfer:features:read:target.xml:', 'qRcmd,', 'qAttached', 'QStartNoAckMode', 'H', 'T', 'q', 'Q', 'v', '']
const arbPacket = fc.tuple(fc.constantFrom(...PREFIXES),
  fc.array(fc.oneof(fc.constantFrom(...'0123456789abcdefABCDEF,:;=-#$}*rxt'.split('')), fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c))), { maxLength: 40 }))
  .map(([p, rest]) => p + rest.join(''))

test('every packet is answered without throwing (malformed ones with E NN or the empty reply)', () => {
  fc.assert(fc.property(fc.array(arbPacket, { maxLength: 8 }), (packets) => {
    let s: Session = start
    for (const p of packets) {
      let a = handlePacket(s, p)
      for (let i = 0; i < 3 && a.session.running !== undefined; i++) a = resume(a.session)
      s = a.session
      if (s.running !== undefined || s.status !== 'attached') break
      if (!/^[csCS]|^vCont;|^b[sc]$|^[Dk]$/.test(p)) assert.ok(a.replies.length >= 1, `no reply to ${JSON.stringify(p)}`)
    }
  }), { numRuns: runs(200) })
})

test('reverse execution is exact: n stepi then k reverse-stepi is the state after n − k stepi', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 25 }), fc.integer({ min: 1, max: 6 }),
    (n, k0, interval, capacity) => {
      const cfg = { ...config, interval, capacity }
      let s = newSession(sv39.machine, cfg)
      for (let i = 0; i < n; i++) s = handlePacket(s, 's').session
      const k = Math.min(k0, n - s.history.checkpoints[0]!.index)
      for (let i = 0; i < k; i++) s = handlePacket(s, 'bs').session
      assert.is(s.position, n - k)
      const expected = runSteps(sv39.machine, n - k)
      assert.equal(s.machine.hart, expected.hart)
      // Memory by contents and pages written (memory versions are compared through their pages, not as objects).
      assert.equal(differingPages(s.machine.memory, expected.memory), [])
      assert.is(s.machine.memory.pages, expected.memory.pages)
    }), { numRuns: runs(40) })
})

test.run()
