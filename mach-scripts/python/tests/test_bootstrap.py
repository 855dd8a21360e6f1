# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""Bootstrap's external steps, as a user meets them: one line a step on the terminal, the
steps' own output in a log, and a failure that ends in one line saying what to do, not a
traceback. And the build's virtual environment, where the harness's packages live."""

import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.join(HERE, "..")


def run_mach_python(code, build_dir):
    """Runs `code` in a fresh Python that imports cosmach as mach does, with its own build dir
    and without the system's site-packages (as a bare Debian Python would have)."""
    script = f"import sys; sys.path.insert(0, {PYTHON_DIR!r})\n" + textwrap.dedent(code)
    env = dict(os.environ, COS_BUILD_DIR=build_dir)
    return subprocess.run([sys.executable, "-S", "-c", script], env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)


class BootstrapSteps(unittest.TestCase):
    def test_a_failing_step_ends_in_one_line_that_says_what_to_do(self):
        with tempfile.TemporaryDirectory() as build:
            log = os.path.join(build, "bootstrap.log")
            result = run_mach_python(f"""
                from cosmach import commands
                commands._step("fetching things", [sys.executable, "-c",
                               "import sys; print('the tool said this'); sys.exit(3)"],
                               {log!r}, "check the network")
            """, build)
            self.assertEqual(result.returncode, 1)
            self.assertEqual(result.stdout, "mach: bootstrap: fetching things\n")
            self.assertEqual(
                result.stderr,
                "mach: error: bootstrap: fetching things failed: check the network "
                f"(its output is in {log})\n")
            with open(log) as f:
                self.assertIn("the tool said this", f.read())

    def test_a_step_that_works_prints_one_line_and_logs_the_rest(self):
        with tempfile.TemporaryDirectory() as build:
            log = os.path.join(build, "bootstrap.log")
            result = run_mach_python(f"""
                from cosmach import commands
                commands._step("listing", [sys.executable, "-c", "print('many lines\\\\n' * 50)"],
                               {log!r}, "never shown")
            """, build)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout, "mach: bootstrap: listing\n")
            with open(log) as f:
                self.assertEqual(sum(1 for line in f if line.startswith("many lines")), 50)

    def test_a_missing_command_is_a_failed_step_too(self):
        with tempfile.TemporaryDirectory() as build:
            result = run_mach_python(f"""
                from cosmach import commands
                commands._step("running a tool", ["/nonexistent/tool"],
                               {os.path.join(build, "b.log")!r}, "install the tool")
            """, build)
            self.assertEqual(result.returncode, 1)
            self.assertNotIn("Traceback", result.stderr)
            self.assertIn("install the tool", result.stderr)


class VirtualEnvironment(unittest.TestCase):
    def test_packages_in_the_build_venv_are_importable(self):
        with tempfile.TemporaryDirectory() as build:
            version = f"python{sys.version_info.major}.{sys.version_info.minor}"
            packages = os.path.join(build, "venv", "lib", version, "site-packages")
            os.makedirs(os.path.join(packages, "only_in_the_venv"))
            with open(os.path.join(packages, "only_in_the_venv", "__init__.py"), "w") as f:
                f.write("WHERE = 'venv'\n")
            code = """
                from cosmach import layout
                try:
                    import only_in_the_venv
                    print("importable before")
                except ImportError:
                    pass
                layout.use_venv()
                import only_in_the_venv
                print(only_in_the_venv.WHERE)
            """
            result = run_mach_python(code, build)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout, "venv\n")


if __name__ == "__main__":
    unittest.main()
