"""memvirt_cosim: a client of `memvirt cosim` for Python testbenches (cocotb and the like).

Standard library only. It starts `memvirt cosim ELF` as a child process and speaks its protocol: one JSON
event per line on the child's stdin, one JSON reply per line on its stdout (README, "Co-simulation").
Every method sends one event and returns the reply as a dict:

    {"ok": True}
    {"ok": False, "index": N, "field": "pa", "dut": "0x...", "model": "0x...", "explain": [...]}
    {"ok": False, "index": N, "error": "..."}        # a request the model refused

64-bit values are passed as Python ints and sent as hex strings.

    with Cosim("prog.elf", isa="rv64ima_zicsr") as sim:
        r = sim.retire(pc=0x1000, insn=0x00000297, rd=5, value=0x1000)
        if not r["ok"]:
            raise CosimMismatch(r)
"""

import json
import os
import shlex
import shutil
import subprocess

__all__ = ["Cosim", "CosimMismatch", "memvirt_command"]


def _hex(v):
    return "0x%016x" % (v & 0xFFFFFFFFFFFFFFFF)


def memvirt_command():
    """The command that runs memvirt: $MEMVIRT (split like a shell), else `memvirt` on PATH, else node
    running this checkout's src/cli/bin.mjs."""
    env = os.environ.get("MEMVIRT")
    if env:
        return shlex.split(env)
    if shutil.which("memvirt"):
        return ["memvirt"]
    here = os.path.dirname(os.path.abspath(__file__))
    return ["node", os.path.join(here, "..", "..", "cli", "bin.mjs")]


class CosimMismatch(Exception):
    """The model disagreed with the DUT: the reply, with its field, both values and the explanation."""

    def __init__(self, reply):
        self.reply = reply
        lines = ["event %s: %s differs: DUT %s, model %s" % (reply.get("index"), reply.get("field"),
                                                            json.dumps(reply.get("dut")), json.dumps(reply.get("model")))]
        lines += ["  " + x for x in reply.get("explain", [])]
        super().__init__("\n".join(lines))


class Cosim:
    """One co-simulation: the model of `elf` out of reset, driven event by event."""

    def __init__(self, elf, isa=None, options=(), command=None):
        args = list(command or memvirt_command()) + ["cosim", elf]
        if isa is not None:
            args += ["--isa", isa]
        args += list(options)
        self._proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def send(self, event):
        """Sends one event (a dict in the protocol's shape) and returns the reply."""
        self._proc.stdin.write(json.dumps(event) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if line == "":
            raise RuntimeError("memvirt cosim ended (exit status %s)" % self._proc.wait())
        return json.loads(line)

    def retire(self, pc, insn, rd=None, value=None):
        """An instruction retired; rd/value when it wrote a register (Ibex: step with write_reg)."""
        e = {"event": "retire", "pc": _hex(pc), "insn": "0x%08x" % insn}
        if rd is not None:
            e["rd"] = rd
            e["value"] = _hex(value)
        return self.send(e)

    def trap(self, pc, cause, tval=0):
        """A trap taken before the instruction at pc retired (cause bit 63: an interrupt)."""
        return self.send({"event": "trap", "pc": _hex(pc), "cause": _hex(cause), "tval": _hex(tval)})

    def access(self, pc, va, pa, size, store, value):
        """A data access of the instruction at pc, after its retire (Ibex: notify_dside_access)."""
        return self.send({"event": "access", "pc": _hex(pc), "va": _hex(va), "pa": _hex(pa), "size": size,
                          "store": bool(store), "value": _hex(value)})

    def fetch(self, pc, pa):
        """The fetch of the instruction at pc, before its retire or trap."""
        return self.send({"event": "fetch", "pc": _hex(pc), "pa": _hex(pa)})

    def set_mip(self, value):
        """The interrupt lines outside the hart (MSIP, MTIP, SEIP, MEIP, SGEIP bits of mip)."""
        return self.send({"event": "mip", "value": _hex(value)})

    def set_csr(self, csr, value):
        """An implementation-defined counter (mcycle 0xb00, minstret 0xb02, time 0xc01)."""
        return self.send({"event": "csr", "csr": csr, "value": _hex(value)})

    def write_mem(self, pa, size, value):
        """A backdoor write of `size` bytes (1, 2, 4, 8) to physical memory."""
        return self.send({"event": "write", "pa": _hex(pa), "size": size, "value": _hex(value)})

    def set_nmi(self):
        return self.send({"event": "nmi"})

    def set_debug_req(self):
        return self.send({"event": "debug_req"})

    def close(self):
        """Ends the session; returns memvirt's exit status (0: every event matched, 1: a mismatch was reported)."""
        if self._proc.stdin and not self._proc.stdin.closed:
            self._proc.stdin.close()
        status = self._proc.wait()
        self._proc.stdout.close()
        return status

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
