"""CI: known advisories in the installed packages, with pip-audit.

Usage: python .ci/audit.py PIP_AUDIT SITE_PACKAGES. Exits 1 when a package has a known
advisory. When the advisory source cannot be reached (pip-audit fails, or answers for
none of the packages: PyPI's JSON API behind a mirror, OSV off the network), it says so
and exits 0: an audit that could not run proves nothing either way, and must not block.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path


def main(pip_audit: str, site: str) -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "audit.json"
        command = [pip_audit, "--path", site, "--skip-editable", "--progress-spinner", "off"]
        command += ["--format", "json", "--output", str(out)]
        try:
            done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as error:
            print(f"pip-audit: could not run, nothing checked ({error})")
            return 0
        try:
            report = json.loads(out.read_text())
        except (OSError, ValueError):
            last = (done.stderr.strip().splitlines() or ["no answer"])[-1]
            print(f"pip-audit: advisory source not reachable, nothing checked ({last})")
            return 0
    packages = report.get("dependencies", [])
    vulnerable = [p for p in packages if p.get("vulns")]
    for package in vulnerable:
        for vuln in package["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            name = f"{package['name']} {package['version']}"
            print(f"pip-audit: {name}: {vuln['id']} (fixed in {fixed})")
    if vulnerable:
        return 1
    audited = [p for p in packages if "skip_reason" not in p]
    if packages and not audited:
        print(
            f"pip-audit: the advisory source answered for none of the {len(packages)} packages "
            "(not reachable from this machine): nothing checked"
        )
        return 0
    print(f"pip-audit: {len(audited)} packages checked, no known advisory")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
