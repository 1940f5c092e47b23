"""pip-audit over a lock file, telling a missing vulnerability service apart from a finding.

pip-audit reads vulnerability data from PyPI's per-release JSON API (/pypi/NAME/VERSION/json)
or from OSV (api.osv.dev). When neither answers from this machine, the audit cannot be done:
this script says so in a warning that names what failed and exits 0, or 1 with
AUDIT_REQUIRED=1. A known vulnerability, or any other failure of pip-audit, always exits 1.

Usage: python .ci/audit_dependencies.py requirements-dev.lock
"""
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)
FOUND = re.compile(r"Found \d+ known vulnerabilit")
TIMEOUT = 20


def _status(request):
    """The HTTP status a request gets, or the reason it got none."""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 # nosec B310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:
        return f"no answer ({error})"


def probe(name, version):
    """(service, None) for the first service that answers, else (None, what each said)."""
    pypi = f"https://pypi.org/pypi/{name}/{version}/json"
    pypi_status = _status(pypi)
    if pypi_status == 200:
        return "pypi", None
    osv = urllib.request.Request(
        "https://api.osv.dev/v1/query", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"package": {"name": name, "ecosystem": "PyPI"}, "version": version}).encode())
    osv_status = _status(osv)
    if osv_status == 200:
        return "osv", None
    return None, f"{pypi} answered {pypi_status}; https://api.osv.dev/v1/query answered {osv_status}"


def skip(reason):
    required = os.environ.get("AUDIT_REQUIRED") == "1"
    print(f"\n*** pip-audit {'FAILED' if required else 'SKIPPED'}: no vulnerability service answers "
          f"from this machine, so the dependencies were NOT audited.\n*** {reason}\n", file=sys.stderr)
    return 1 if required else 0


def main(lock):
    name, version = PIN.search(Path(lock).read_text()).groups()
    service, reason = probe(name, version)
    if service is None:
        return skip(reason)
    command = [sys.executable, "-m", "pip_audit", "--strict", "--disable-pip", "--progress-spinner",
               "off", "--vulnerability-service", service, "-r", lock]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 # nosec B603
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode and not FOUND.search(result.stdout + result.stderr):
        service, reason = probe(name, version)
        if service is None:  # the service went away during the run
            return skip(reason)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
