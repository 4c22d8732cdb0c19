// Prints the co-simulation's mutation table (README "Co-simulation", "Proof that it catches bugs"):
// `node --import tsx golden/cosim/mutation-table.ts`. The table is mutations.ts's `mutationTable()`.
import { mutationTable } from './mutations.ts'

process.stdout.write(mutationTable())
