"""The lock files agree with the readable pins: run `make lock` after editing requirements*.txt."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._\[\],-]*)==([^\s;\\]+)", re.MULTILINE)


def normalized(name):
    return re.sub(r"[-_.]+", "-", name.split("[")[0]).lower()


def pins(path):
    return {(normalized(name), version) for name, version in PIN.findall((ROOT / path).read_text())}


def locked_entries(path):
    """Each package entry of a lock: its lines from `name==version` up to the next entry."""
    return re.split(r"\n(?=[A-Za-z0-9])", (ROOT / path).read_text().split("\n", 2)[2].strip())


@pytest.mark.parametrize(("choices", "lock"), [("requirements.txt", "requirements.lock"),
                                               ("requirements-dev.txt", "requirements-dev.lock")])
def test_every_chosen_pin_is_locked_at_the_same_version(choices, lock):
    assert pins(choices) - pins(lock) == set()


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_carries_hashes(lock):
    unhashed = [entry.split()[0] for entry in locked_entries(lock)
                if PIN.match(entry) and "--hash=sha256:" not in entry]
    assert unhashed == []


def test_the_dev_lock_installs_the_runtime_lock_unchanged():
    assert pins("requirements.lock") - pins("requirements-dev.lock") == set()
