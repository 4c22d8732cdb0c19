// The codec kit: every decoder of outside input in memvirt is built from these (README: "Decoding every input once").
export * from './json.ts'
export * from './errors.ts'
export * from './hex.ts'
export * from './numbers.ts'
export * from './enums.ts'
export * from './objects.ts'
export * from './decode.ts'
export * from './text.ts'
