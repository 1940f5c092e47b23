"""argon2id password hashing; cheaper parameters only under TESTING."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_hashers = {}


def _hasher():
    testing = bool(current_app.config.get("TESTING"))
    if testing not in _hashers:
        _hashers[testing] = (
            PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if testing
            else PasswordHasher()  # argon2id, RFC 9106 low-memory profile
        )
    return _hashers[testing]


def hash_password(password):
    return _hasher().hash(password)


def verify_password(password_hash, password):
    if not password_hash:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher().check_needs_rehash(password_hash)


# A hash to verify against when the email is unknown, so timing does not reveal accounts.
def dummy_verify(password):
    verify_password(_dummy_hash(), password)


def _dummy_hash():
    key = ("dummy", bool(current_app.config.get("TESTING")))
    if key not in _hashers:
        _hashers[key] = hash_password("not-a-real-password")
    return _hashers[key]
