# lit configuration for Kiln's IR tests: each .kir file under tests/lit is a
# test whose `// RUN:` lines run `kiln opt` and check its output with FileCheck
# (https://llvm.org/docs/CommandGuide/lit.html). The build writes
# lit.site.cfg.py (paths to kiln and the LLVM tools) and loads this file.
import os

import lit.formats

config.name = "kiln"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".kir"]
config.test_source_root = lit_config.params.get("source_root", os.path.dirname(__file__))
config.test_exec_root = os.path.join(os.path.dirname(config.kiln), "tests", "lit-out")
config.excludes = ["Inputs"]

config.substitutions.append(("%kiln", config.kiln))
config.environment["PATH"] = os.pathsep.join([config.llvm_tools_dir, config.environment.get("PATH", "")])
