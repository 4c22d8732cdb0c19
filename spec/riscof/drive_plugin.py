"""Drives riscof/memvirt/riscof_memvirt.py the way `riscof run` does (construct with a config, initialise,
build, runTests), with small stand-ins for the riscof modules it imports, so the plugin's compile and
run commands are exercised without RISCOF installed. Usage: drive_plugin.py PLUGIN_DIR WORK_DIR MEMVIRT_DIR TEST.S
Prints the path of the signature file the plugin's commands wrote."""
import os
import subprocess
import sys
import types

import yaml

plugin_dir, work_dir, memvirt_dir, test = sys.argv[1:5]

# ---- stand-ins for riscof.utils and riscof.pluginTemplate (the parts the plugin uses) ----
utils = types.ModuleType("riscof.utils")
utils.load_yaml = lambda path: yaml.safe_load(open(path))


class makeUtil:
    def __init__(self, makefilePath):
        self.makefilePath, self.targets, self.makeCommand = makefilePath, [], "make"

    def add_target(self, command):
        self.targets.append(command)

    def execute_all(self, cwd="./", timeout=300):  # riscof 1.25's signature: timeout for the whole make
        for command in self.targets:
            subprocess.run(command, shell=True, cwd=cwd, check=True, timeout=timeout)


utils.makeUtil = makeUtil
template = types.ModuleType("riscof.pluginTemplate")


class pluginTemplate:
    # RISCOF names a plugin ROLE-MODEL: and expects ROLE-MODEL.signature in each test's work dir.
    def __init__(self, *args, **kwargs):
        self._role = kwargs.get("name", "DUT")

    @property
    def name(self):
        return self._role + "-" + self.__model__ + ":"


template.pluginTemplate = pluginTemplate
riscof = types.ModuleType("riscof")
riscof.utils, riscof.pluginTemplate = utils, template
sys.modules.update({"riscof": riscof, "riscof.utils": utils, "riscof.pluginTemplate": template})

# ---- what `riscof run` does with the plugin ----
sys.path.insert(0, plugin_dir)
import riscof_memvirt  # noqa: E402

config = {"pluginpath": plugin_dir, "ispec": os.path.join(plugin_dir, "memvirt_isa.yaml"),
          "pspec": os.path.join(plugin_dir, "memvirt_platform.yaml"), "PATH": memvirt_dir}
dut = riscof_memvirt.memvirt(name="DUT", config=config)
dut.initialise("suite", work_dir, os.path.join(plugin_dir, "env"))
dut.build(config["ispec"], config["pspec"])
test_dir = os.path.join(work_dir, "mini")
os.makedirs(test_dir, exist_ok=True)
dut.runTests({"mini": {"test_path": test, "work_dir": test_dir, "macros": ["TEST_CASE_1=True"], "isa": "RV64IMZicsr"}})
print(os.path.join(test_dir, dut.name[:-1] + ".signature"))
