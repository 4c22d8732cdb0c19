"""RISCOF plugin for memvirt: runs the riscv-arch-test suite on memvirt as the DUT or as the reference.

Each test is compiled with the riscv64-unknown-elf toolchain against env/model_test.h and env/link.ld,
then run with `memvirt run --isa=… +signature=FILE +signature-granularity=4 ELF`, the command line Spike
takes. memvirt writes the signature the way Spike does (fesvr/htif.cc), so it can face Spike or Sail.

config.ini keys (section named after this plugin):
  pluginpath  this folder               ispec / pspec  the two yaml files here (or your own)
  PATH        folder holding `memvirt`  (default: the memvirt found on $PATH)
  jobs        make's parallel jobs (default 1)    target_run  0 = compile only (default 1)
  timeout     seconds the whole make of compile-and-run may take (default 3600; riscof's own is 300,
              which a loaded machine running the full rv64i_m suite can exceed)
"""
import os
import re
import shutil
import logging

import riscof.utils as utils
from riscof.pluginTemplate import pluginTemplate

logger = logging.getLogger()

def memvirt_isa(riscv_config_isa):
    """The `--isa` string for a riscv-config ISA string, e.g. RV64IMACSUZicsr_Zifencei -> rv64imac_zicsr_zifencei.

    riscv-config writes single-letter extensions in capitals and multi-letter ones as a capital Z, S or X
    followed by lower case, with or without '_' between them. S and U are privilege modes, always present
    in memvirt and not part of its --isa. An ISA string already in Spike's form (rv64imac_zicsr) is kept.
    """
    m = re.fullmatch(r"RV(32|64)([A-Z]*?)((?:_?[ZSX][a-z0-9]+)*)", riscv_config_isa)
    if m is None:
        if re.fullmatch(r"rv(32|64)[a-z]*(_[a-z0-9]+)*", riscv_config_isa):
            return riscv_config_isa
        raise ValueError("not a riscv-config ISA string: " + riscv_config_isa)
    xlen, letters, multi = m.group(1), m.group(2).lower(), m.group(3)
    singles = "".join(ch for ch in letters if ch not in "su")
    exts = [e.lower() for e in re.findall(r"[ZSX][a-z0-9]+", multi)]
    return "rv" + xlen + singles + "".join("_" + e for e in exts)


def gcc_march(isa):
    """The -march for the assembler: memvirt's --isa without the extensions binutils 2.40 does not know."""
    parts = isa.split("_")
    return "_".join([parts[0]] + [p for p in parts[1:] if p in ("zicsr", "zifencei")])


class memvirt(pluginTemplate):
    __model__ = "memvirt"
    __version__ = "0.1.0"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        config = kwargs.get("config")
        if config is None:
            logger.error("config.ini has no section for the memvirt plugin")
            raise SystemExit(1)
        self.memvirt_exe = os.path.join(config["PATH"], "memvirt") if "PATH" in config else (shutil.which("memvirt") or "memvirt")
        self.num_jobs = str(config.get("jobs", 1))
        self.pluginpath = os.path.abspath(config["pluginpath"])
        self.isa_spec = os.path.abspath(config["ispec"])
        self.platform_spec = os.path.abspath(config["pspec"])
        self.target_run = config.get("target_run", "1") != "0"
        self.timeout = int(config.get("timeout", 3600))

    def initialise(self, suite, work_dir, archtest_env):
        self.work_dir = work_dir
        self.suite_dir = suite
        self.compile_cmd = (
            "riscv{xlen}-unknown-elf-gcc -march={march} -mabi={mabi} -static -mcmodel=medany"
            " -fvisibility=hidden -nostdlib -nostartfiles -g"
            " -T " + os.path.join(self.pluginpath, "env", "link.ld") +
            " -I " + os.path.join(self.pluginpath, "env") +
            " -I " + archtest_env + " {test} -o {elf} {macros}"
        )

    def build(self, isa_yaml, platform_yaml):
        ispec = utils.load_yaml(isa_yaml)["hart0"]
        self.xlen = "64" if 64 in ispec["supported_xlen"] else "32"
        self.mabi = "lp64" if self.xlen == "64" else "ilp32"
        self.isa = memvirt_isa(ispec["ISA"])

    def runTests(self, testList):
        make = utils.makeUtil(makefilePath=os.path.join(self.work_dir, "Makefile." + self.name[:-1]))
        make.makeCommand = "make -k -j" + self.num_jobs
        for testname, entry in testList.items():
            test_dir = entry["work_dir"]
            elf = "my.elf"
            sig_file = os.path.join(test_dir, self.name[:-1] + ".signature")
            march = gcc_march(memvirt_isa(entry["isa"]))
            macros = " -D" + " -D".join(entry["macros"]) if entry["macros"] else ""
            cmd = "cd {0}; ".format(test_dir) + self.compile_cmd.format(
                xlen=self.xlen, march=march, mabi=entry.get("mabi", self.mabi), test=entry["test_path"], elf=elf, macros=macros)
            if self.target_run:
                cmd += "; {0} run --isa={1} +signature={2} +signature-granularity=4 {3}".format(self.memvirt_exe, self.isa, sig_file, elf)
            else:
                cmd += "; echo 'target_run = 0: compiled only' > " + sig_file
            make.add_target(cmd)
        make.execute_all(self.work_dir, timeout=self.timeout)
        if not self.target_run:
            raise SystemExit(0)
