// Outside text files as strings. Every text input memvirt reads (JSON scenarios, host files, event
// traces) must be UTF-8 (RFC 3629; RFC 8259 §8.1 for JSON): bytes that are not are an error naming the
// byte offset where the text stops being UTF-8, not characters silently replaced by U+FFFD.
import { type Either, left, right } from '../bits/either.ts'

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Where `bytes` stop being UTF-8: the offset of the first byte that does not start or continue a
 * well-formed sequence (overlong forms, surrogates and code points past U+10FFFF included), or
 * `undefined` if every byte is part of one.
 */
export const firstNonUtf8 = (bytes: Uint8Array): number | undefined => {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    if (b < 0x80) { i++; continue }
    // the sequence's length and the range its second byte must lie in (RFC 3629 §4, the table of well-formed sequences)
    const [n, lo, hi] = b >= 0xc2 && b <= 0xdf ? [2, 0x80, 0xbf]
      : b === 0xe0 ? [3, 0xa0, 0xbf] : b === 0xed ? [3, 0x80, 0x9f] : b >= 0xe1 && b <= 0xef ? [3, 0x80, 0xbf]
        : b === 0xf0 ? [4, 0x90, 0xbf] : b === 0xf4 ? [4, 0x80, 0x8f] : b >= 0xf1 && b <= 0xf3 ? [4, 0x80, 0xbf]
          : [0, 0, 0]
    if (n === 0) return i
    for (let k = 1; k < n; k++) {
      const c = bytes[i + k]
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i
    }
    i += n
  }
  return undefined
}

/**
 * A file's bytes as text, or the byte offset where they stop being UTF-8.
 *
 * @example
 * utf8Text(new Uint8Array([0x7b, 0x7d]))         // right('{}')
 * utf8Text(new Uint8Array([0x22, 0xff, 0x22]))   // left({ offset: 1 })
 */
export const utf8Text = (bytes: Uint8Array): Either<{ readonly offset: number }, string> => {
  try {
    return right(strict.decode(bytes))
  } catch {
    return left({ offset: firstNonUtf8(bytes) ?? 0 })
  }
}
