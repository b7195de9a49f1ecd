"""Makes and checks Django password hashes for tessera's tests, with the real Django 3.2.

Reads one JSON request on stdin (passwords never travel in argv) and writes one JSON answer:
- {"mode": "make", "passwords": [...]}: hashes by every hasher Django 3.2 ships that tessera
  verifies (make_password), older forms Django 3.2 still verifies (argon2i, md5$$), and scrypt
  as Django 4.0-5.2's ScryptPasswordHasher.encode computes it (hashlib.scrypt; Django 3.2 has
  no scrypt hasher). Every value is checked by Django (or by that encode) before it is written.
- {"mode": "check", "items": [{"password", "encoded"}]}: Django 3.2's check_password, and
  must_update by the hasher that wrote the value, as a Django preferring it would ask.
Exit status 3 when Django, argon2-cffi or bcrypt is missing.
"""
import base64
import hashlib
import json
import sys

try:
    import argon2
    import bcrypt  # noqa: F401 (Django's bcrypt hashers import it)
    import django
    from django.conf import settings
except ImportError as error:
    print(f"missing: {error.name}", file=sys.stderr)
    sys.exit(3)

settings.configure(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
        "django.contrib.auth.hashers.BCryptPasswordHasher",
        "django.contrib.auth.hashers.SHA1PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.UnsaltedSHA1PasswordHasher",
        "django.contrib.auth.hashers.UnsaltedMD5PasswordHasher",
    ]
)
django.setup()

from django.contrib.auth.hashers import (  # noqa: E402
    check_password,
    get_random_string,
    identify_hasher,
    make_password,
)
from django.utils.crypto import constant_time_compare  # noqa: E402

DJANGO_32_HASHERS = [
    "pbkdf2_sha256",
    "pbkdf2_sha1",
    "argon2",
    "bcrypt_sha256",
    "bcrypt",
    "sha1",
    "md5",
    "unsalted_sha1",
    "unsalted_md5",
]


def scrypt_encode(password, salt, n, r, p):
    # Django 4.0-5.2's ScryptPasswordHasher.encode, line for line (Django 5.2 writes p=5,
    # 4.0-5.0 wrote p=1).
    hash_ = hashlib.scrypt(
        password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=0, dklen=64
    )
    hash_ = base64.b64encode(hash_).decode("ascii").strip()
    return "%s$%d$%s$%d$%d$%s" % ("scrypt", n, salt, r, p, hash_)


def scrypt_verify(password, encoded):
    # Django 4.0-5.2's ScryptPasswordHasher.verify.
    algorithm, n, salt, r, p, _hash = encoded.split("$", 6)
    assert algorithm == "scrypt"
    return constant_time_compare(encoded, scrypt_encode(password, salt, int(n), int(r), int(p)))


def argon2i(password, version):
    # What Django before 3.2 wrote: argon2i, with Django 1.10's small costs.
    data = argon2.low_level.hash_secret(
        password.encode(),
        get_random_string(22).encode(),
        time_cost=2,
        memory_cost=512,
        parallelism=2,
        hash_len=16,
        type=argon2.low_level.Type.I,
        version=version,
    )
    return "argon2" + data.decode("ascii")


def make(passwords):
    vectors = []
    for password in passwords:
        for hasher in DJANGO_32_HASHERS:
            vectors.append((password, hasher, make_password(password, hasher=hasher)))
        vectors.append((password, "unsalted_md5", "md5$$" + make_password(password, hasher="unsalted_md5")))
        vectors.append((password, "argon2", argon2i(password, 0x13)))
        old = argon2i(password, 0x10)
        vectors.append((password, "argon2", old))
        # Django 1.10 wrote version 16 without "v=": the C library reads a missing version as 16.
        vectors.append((password, "argon2", old.replace("$v=16$", "$")))
        for p in (5, 1):
            vectors.append((password, "scrypt", scrypt_encode(password, get_random_string(22), 2**14, 8, p)))
    for password, hasher, encoded in vectors:
        ok = scrypt_verify(password, encoded) if hasher == "scrypt" else check_password(password, encoded)
        assert ok, (hasher, encoded)
    return [{"password": pw, "hasher": h, "encoded": e} for pw, h, e in vectors]


def check(items):
    answers = []
    for item in items:
        password, encoded = item["password"], item["encoded"]
        if encoded.startswith("scrypt$"):
            answers.append({"valid": scrypt_verify(password, encoded), "mustUpdate": None})
            continue
        answers.append(
            {
                "valid": check_password(password, encoded),
                "mustUpdate": identify_hasher(encoded).must_update(encoded),
            }
        )
    return answers


request = json.load(sys.stdin)
if request["mode"] == "make":
    answer = make(request["passwords"])
else:
    answer = check(request["items"])
json.dump({"django": django.get_version(), "answer": answer}, sys.stdout)
