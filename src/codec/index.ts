// The codec kit: every decoder of outside input in memvirt is built from these (README: "Decoding every input once").
export * from './json.ts'
export * from './errors.ts'
export * from './hex.ts'
export * from './numbers.ts'
export * from './enums.ts'
export * from './objects.ts'
export * from './decode.ts'
// text.ts (UTF-8 files) is imported by the shell directly: it needs the host's TextDecoder, which the
// library's declarations (tsconfig.types.json: no host types) do not assume
