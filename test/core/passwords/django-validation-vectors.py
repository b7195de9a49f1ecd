# Makes django-validation-vectors.json: run with a Python that has Django (here Debian 12's
# python3-django 3.2.25), `python3 django-validation-vectors.py > django-validation-vectors.json`.
# The tests only read the JSON; they never run Python.
import json, random, sys
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=['django.contrib.auth', 'django.contrib.contenttypes'],
    AUTH_PASSWORD_VALIDATORS=[
        {'NAME': 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator'},
        {'NAME': 'django.contrib.auth.password_validation.MinimumLengthValidator'},
        {'NAME': 'django.contrib.auth.password_validation.CommonPasswordValidator'},
        {'NAME': 'django.contrib.auth.password_validation.NumericPasswordValidator'},
    ],
    USE_I18N=False,
)
django.setup()
from difflib import SequenceMatcher
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

rng = random.Random(20261204)
alphabet = 'abcdeAB12_-. @\u00e9\u00c9\u03a3\u03c3\u0131\u0130\U0001F600'
pairs = [('', ''), ('a', ''), ('', 'a'), ('abc', 'abc'), ('alice2026', 'alice'), ('ALICE', 'alice'),
         ('\U0001F600\U0001F600x', '\U0001F600x'), ('\u0130stanbul', 'istanbul')]
for _ in range(120):
    a = ''.join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
    b = ''.join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
    pairs.append((a, b))
ratios = [{'a': a, 'b': b, 'quickRatio': SequenceMatcher(a=a, b=b).quick_ratio()} for a, b in pairs]

users = [
    {'username': 'alice', 'email': 'alice.smith@example.com', 'first_name': 'Alice', 'last_name': 'Smith'},
    {'username': 'bob', 'email': '', 'first_name': '', 'last_name': ''},
    {'username': 'x', 'email': 'x@y.z', 'first_name': '', 'last_name': ''},
    {'username': 'J\u00f6rg_M\u00fcller', 'email': 'joerg@m\u00fcller.de', 'first_name': 'J\u00f6rg', 'last_name': 'M\u00fcller'},
]
passwords = ['123', '', '12345678', 'password', 'Password', ' password ', 'password123', 'qwerty',
             'alice', 'alice2026', 'Alice.Smith', 'alicesmith', 'smith123', 'examplecom',
             'example.com', 'aliceexample', 'ecila', 'correct horse battery staple',
             'x', 'xyzxyzxyzxyz', 'y', 'z', 'bobbobbob', 'bob12345', 'b0b', 'j\u00f6rg1234',
             'm\u00fcller', 'M\u00dcLLER2026', 'joerg', '\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668',
             '\u00b2\u00b3\u00b9\u2460\u2461\u2462\u2463\u2464', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaalice',
             'zxcvbnm', 'iloveyou', 'letmein!', 'Tr0ub4dor&3', 'dragon', 'monkey12', '\U0001F600' * 8,
             '1q2w3e4r', 'baseball', 'sunshine1', '\tqwerty\n', '\u3000password\u3000', 'passw0rd']
validations = []
for user in users:
    u = User(**user)
    for pw in passwords:
        try:
            validate_password(pw, u)
            msgs = []
        except ValidationError as e:
            msgs = list(e.messages)
        validations.append({'user': {'username': user['username'], 'email': user['email'], 'firstName': user['first_name'], 'lastName': user['last_name']}, 'password': pw, 'messages': msgs})
for pw in passwords:
    try:
        validate_password(pw, None)
        msgs = []
    except ValidationError as e:
        msgs = list(e.messages)
    validations.append({'user': None, 'password': pw, 'messages': msgs})
json.dump({'django': django.get_version(), 'python': sys.version.split()[0], 'quickRatios': ratios, 'validations': validations}, sys.stdout, ensure_ascii=False, indent=1)
