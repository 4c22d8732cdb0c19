"""Drives memvirt_cosim from a recorded DUT trace, as a testbench would from its RTL's retirement port.

    python3 src/cosim/python/replay_example.py ELF TRACE.jsonl [--isa ISA]

Each line of the trace is one event (README, "Co-simulation"); each goes through the client's typed
method, as a monitor would call it. Stops at the first mismatch and prints it; exit status 0 when the
whole trace matched, 1 at a mismatch, 2 on a refused request.
"""

import argparse
import json
import os
import sys

from memvirt_cosim import Cosim, CosimMismatch


def drive(sim, e):
    """One recorded event through the client's method for its kind."""
    n = lambda k: int(e[k], 16)
    kind = e["event"]
    if kind == "retire":
        return sim.retire(n("pc"), n("insn"), e.get("rd"), n("value") if "value" in e else None)
    if kind == "trap":
        return sim.trap(n("pc"), n("cause"), n("tval"))
    if kind == "access":
        return sim.access(n("pc"), n("va"), n("pa"), e["size"], e["store"], n("value"))
    if kind == "fetch":
        return sim.fetch(n("pc"), n("pa"))
    if kind == "mip":
        return sim.set_mip(n("value"))
    return sim.send(e)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("elf")
    p.add_argument("trace")
    p.add_argument("--isa")
    a = p.parse_args()
    counts = {}
    with open(a.trace) as f, Cosim(a.elf, isa=a.isa) as sim:
        for line in f:
            if not line.strip():
                continue
            e = json.loads(line)
            reply = drive(sim, e)
            if not reply["ok"]:
                if "error" in reply:
                    print("refused: event %d: %s" % (reply["index"], reply["error"]))
                    return 2
                print(CosimMismatch(reply))
                return 1
            counts[e["event"]] = counts.get(e["event"], 0) + 1
    print("%s: every event matches (%s)" % (a.trace, ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items()))))
    return 0


if __name__ == "__main__":
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader of stdout has gone (`| head -3`): stop quietly, as a shell tool does, and keep
        # Python from reporting the pipe again when it flushes stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 1
    sys.exit(status)
