// The GDB remote serial protocol's transport (GDB manual, "Remote Protocol" › "Overview"; "Packet
// Acknowledgment"; "Interrupts"): packets `$data#cs` with a two-hex-digit checksum (sum of the data bytes
// mod 256), acknowledgments `+`/`-`, the interrupt byte 0x03, and the binary escape `}` + (byte ^ 0x20)
// for `#`, `$`, `}` and `*`. A streaming decoder that takes bytes in any chunking and never throws.
// Payloads are binary strings: one character per byte (0–255), as the protocol is byte-oriented.

/** The largest packet (data bytes between `$` and `#`) this stub accepts and advertises as PacketSize. */
export const MAX_PACKET = 0x4000

const DOLLAR = 0x24, HASH = 0x23, BRACE = 0x7d, STAR = 0x2a, PLUS = 0x2b, MINUS = 0x2d, INTERRUPT = 0x03

/** The checksum of a packet's data as sent: the sum of its bytes modulo 256. */
export const checksum = (data: string): number => {
  let sum = 0
  for (let i = 0; i < data.length; i++) sum = (sum + (data.charCodeAt(i) & 0xff)) & 0xff
  return sum
}

const needsEscape = (c: number): boolean => c === HASH || c === DOLLAR || c === BRACE || c === STAR

/** Binary data as sent: `#`, `$`, `}` and `*` become `}` followed by the byte XOR 0x20 ("Overview", binary data). */
export const escapeBinary = (data: string): string => {
  let out = ''
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i) & 0xff
    out += needsEscape(c) ? '}' + String.fromCharCode(c ^ 0x20) : String.fromCharCode(c)
  }
  return out
}

/** The inverse of escapeBinary (a trailing lone `}` is dropped). */
export const unescapeBinary = (data: string): string => {
  let out = ''
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i)
    if (c === BRACE) {
      i++
      if (i < data.length) out += String.fromCharCode((data.charCodeAt(i) ^ 0x20) & 0xff)
    } else out += String.fromCharCode(c & 0xff)
  }
  return out
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0')

/**
 * A packet as sent: `$` + escaped data + `#` + checksum of the escaped data. Escaping every reply is
 * safe here: the stub's text replies never contain the four special bytes, and a binary reply must.
 * @example framePacket('OK') // '$OK#9a'
 */
export const framePacket = (data: string): string => {
  const escaped = escapeBinary(data)
  return `$${escaped}#${hex2(checksum(escaped))}`
}

// ---- the streaming decoder ---------------------------------------------------------------------------

/** What the byte stream said. */
export type WireEvent =
  | { readonly _tag: 'Packet'; readonly data: string }            // data unescaped, checksum good
  | { readonly _tag: 'BadChecksum'; readonly data: string }       // the receiver answers '-'
  | { readonly _tag: 'TooLong' }                                  // over MAX_PACKET: discarded whole
  | { readonly _tag: 'Ack' }
  | { readonly _tag: 'Nack' }
  | { readonly _tag: 'Interrupt' }

/** Where the decoder is: between packets, inside the data, or reading the two checksum digits. */
export interface DecoderState {
  readonly phase: 'idle' | 'data' | 'checksum1' | 'checksum2'
  /** The data bytes so far (as sent, escapes included), or '' once over the limit. */
  readonly raw: string
  readonly length: number
  readonly firstDigit: number
}

export const initialDecoder: DecoderState = { phase: 'idle', raw: '', length: 0, firstDigit: 0 }

const hexValue = (c: number): number => {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10
  return -1
}

const decoderState = (phase: DecoderState['phase'], raw: string, length: number, firstDigit: number): DecoderState =>
  ({ phase, raw, length, firstDigit })

/**
 * Feeds a chunk of bytes: the new state and the events completed in it. Bytes between packets other
 * than `+`, `-`, 0x03 are noise and ignored; a `$` inside a packet starts a new one (the sender resent
 * it). Never throws, for any bytes.
 */
export const decode = (state: DecoderState, chunk: Uint8Array): { state: DecoderState; events: WireEvent[] } => {
  const events: WireEvent[] = []
  let { phase, raw, length, firstDigit } = state
  let parts: string[] = raw === '' ? [] : [raw]
  for (const c of chunk) {
    switch (phase) {
      case 'idle':
        if (c === DOLLAR) { phase = 'data'; parts = []; length = 0 }
        else if (c === PLUS) events.push({ _tag: 'Ack' })
        else if (c === MINUS) events.push({ _tag: 'Nack' })
        else if (c === INTERRUPT) events.push({ _tag: 'Interrupt' })
        break
      case 'data':
        if (c === HASH) phase = 'checksum1'
        else if (c === DOLLAR) { parts = []; length = 0 }
        else {
          length++
          if (length <= MAX_PACKET) parts.push(String.fromCharCode(c))
        }
        break
      case 'checksum1':
        firstDigit = hexValue(c)
        phase = 'checksum2'
        break
      case 'checksum2': {
        const second = hexValue(c)
        const data = parts.join('')
        if (length > MAX_PACKET) events.push({ _tag: 'TooLong' })
        else if (firstDigit < 0 || second < 0 || firstDigit * 16 + second !== checksum(data)) events.push({ _tag: 'BadChecksum', data })
        else events.push({ _tag: 'Packet', data: unescapeBinary(data) })
        phase = 'idle'; parts = []; length = 0; firstDigit = 0
        break
      }
    }
  }
  raw = phase === 'data' || phase === 'checksum1' || phase === 'checksum2' ? parts.join('') : ''
  return { state: decoderState(phase, raw, length, firstDigit), events }
}
