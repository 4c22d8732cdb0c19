// `memvirt gdbserver PROG [--port N] [--isa …]`: serves the GDB remote protocol over TCP on 127.0.0.1 only,
// one client at a time (another is refused while one is attached). The socket, acknowledgments and the
// slicing of long continues are this shell's; the protocol is the pure session of src/gdb/.
import { createServer, type Socket } from 'node:net'
import type { Command } from 'commander'
import { step } from '../machine/step.ts'
import { memoAccel } from '../cpu/engine/accel.ts'
import { type DecoderState, decode, framePacket, initialDecoder } from '../gdb/packet.ts'
import { type Answer, type Session, defaultConfig, handlePacket, interrupt, newSession, resume } from '../gdb/session.ts'
import { InputError, failInput } from './io.ts'
import { type ProgramFlags, loadProgramAndElf, programOptions } from './program.ts'

interface GdbserverOptions extends ProgramFlags {
  readonly port: string
}

const parsePort = (text: string): number => {
  const n = Number(text)
  return /^[0-9]+$/.test(text) && n <= 65535 ? n : failInput(`--port: expected 0–65535, got "${text}"`)
}

/** One attached client: its decoder, its session, the last packet sent (for a `-` retransmission). */
const serve = (socket: Socket, start: Session, done: () => void): void => {
  let decoder: DecoderState = initialDecoder
  let session = start
  let lastSent = ''
  let pumping = false
  const send = (payloads: readonly string[]): void => {
    for (const p of payloads) {
      lastSent = framePacket(p)
      socket.write(Buffer.from(lastSent, 'latin1'))
    }
  }
  const apply = (a: Answer): void => {
    session = a.session
    send(a.replies)
    if (session.status !== 'attached') {
      socket.end()
      return
    }
    if (session.running !== undefined && !pumping) {
      pumping = true
      setImmediate(pump)
    }
  }
  // A continue runs in slices; between slices the event loop delivers any 0x03 from the client.
  const pump = (): void => {
    pumping = false
    if (session.running === undefined || socket.destroyed) return
    apply(resume(session))
  }
  socket.on('data', (chunk: Buffer) => {
    const r = decode(decoder, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    decoder = r.state
    for (const e of r.events) {
      if (session.status !== 'attached') break
      switch (e._tag) {
        case 'Packet':
          if (!session.noAck) socket.write('+')
          apply(handlePacket(session, e.data))
          break
        case 'BadChecksum':
          if (!session.noAck) socket.write('-')
          break
        case 'TooLong':
          // Over PacketSize: refused whole (acknowledged, so the client does not resend it), an error reply.
          if (!session.noAck) socket.write('+')
          send(['E01'])
          break
        case 'Nack':
          if (!session.noAck && lastSent !== '') socket.write(Buffer.from(lastSent, 'latin1'))
          break
        case 'Interrupt':
          apply(interrupt(session))
          break
        case 'Ack':
          break
      }
    }
  })
  socket.on('close', done)
  socket.on('error', () => socket.destroy())
}

export const register = (program: Command): void => {
  programOptions(program
    .command('gdbserver')
    .description('serve a program to GDB over the remote protocol on 127.0.0.1 (reverse execution, monitor translate)')
    .argument('<elf>', 'a bare-metal RV64 ELF executable (as for run)'))
    .option('--port <n>', 'TCP port on 127.0.0.1 (0: any free port, printed)', '1234')
    .action((path: string, opts: GdbserverOptions) => new Promise<void>((resolve, reject) => {
      const port = parsePort(opts.port)
      const { machine, elf } = loadProgramAndElf(path, opts)
      const config = { ...defaultConfig, stepper: (m: typeof machine) => step(m, memoAccel), elf }
      let attached = false
      const server = createServer((socket) => {
        if (attached) {
          process.stderr.write(`memvirt gdbserver: refused a second client (${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}); one is attached\n`)
          socket.destroy()
          return
        }
        attached = true
        process.stderr.write('memvirt gdbserver: client attached\n')
        serve(socket, newSession(machine, config), () => {
          process.stderr.write('memvirt gdbserver: client gone; exiting\n')
          server.close()
          resolve()
        })
      })
      server.on('error', (e: NodeJS.ErrnoException) => {
        reject(new InputError(`--port ${port}: cannot listen on 127.0.0.1 (${e.code ?? e.message})`))
      })
      server.listen(port, '127.0.0.1', () => {
        const a = server.address()
        const actual = typeof a === 'object' && a !== null ? a.port : port
        process.stdout.write(`memvirt gdbserver: listening on 127.0.0.1:${actual} for ${path}\n`)
      })
    }))
}
