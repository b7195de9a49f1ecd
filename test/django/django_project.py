"""A real Django + DRF project for tessera's interoperability tests, and the changes they make.

Always run by /usr/bin/python3 (Debian's Django 3.2 and DRF 3.14). Every command takes the
project's folder and reads its arguments as JSON on standard input, so no password or key ever
appears in a process's argument list; each prints one JSON value.

  django_project.py create DIR         {"database": {...}}  startproject drfsite, then configure it
  django_project.py users DIR          [{"username", "password", "hasher", "is_active", "is_staff"}]
  django_project.py set-password DIR   {"username", "password"}    set_password() and save()
  django_project.py set-active DIR     {"username", "active"}      is_active, saved through the ORM
  django_project.py delete-token DIR   {"username"}                deletes the user's DRF token
  django_project.py hashers DIR        ["username", ...]           the algorithm of each stored hash
"""
import json
import os
import subprocess
import sys
import time

PROJECT = 'drfsite'

# Every hasher Django 3.2 ships but crypt (deprecated, and gone from Python 3.13): the first one
# makes new passwords, the others are accepted and upgraded at the next login, as in a Django
# project that has been through a few releases.
PASSWORD_HASHERS = [
    'django.contrib.auth.hashers.PBKDF2PasswordHasher',
    'django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher',
    'django.contrib.auth.hashers.Argon2PasswordHasher',
    'django.contrib.auth.hashers.BCryptSHA256PasswordHasher',
    'django.contrib.auth.hashers.BCryptPasswordHasher',
    'django.contrib.auth.hashers.SHA1PasswordHasher',
    'django.contrib.auth.hashers.MD5PasswordHasher',
    'django.contrib.auth.hashers.UnsaltedMD5PasswordHasher',
    'django.contrib.auth.hashers.UnsaltedSHA1PasswordHasher',
]

SETTINGS = '''
# Added by tessera's interoperability tests: DRF's token authentication on the shared database.
DEBUG = False
ALLOWED_HOSTS = ['127.0.0.1', 'localhost']
INSTALLED_APPS += ['rest_framework', 'rest_framework.authtoken']
DATABASES = {{'default': {database!r}}}
PASSWORD_HASHERS = {hashers!r}
USE_TZ = True
'''

URLS = '''from django.contrib import admin
from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from .api import BuildTrigger

urlpatterns = [
    path('admin/', admin.site.urls),
    path('api-token-auth/', obtain_auth_token),
    path('api/build-trigger/', BuildTrigger.as_view()),
]
'''

# The seed's endpoint, as a DRF project writes it.
API = '''from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView


class BuildTrigger(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    def post(self, request):
        return Response({'triggered_by': request.user.username})
'''


def create(directory, arguments):
    subprocess.run([sys.executable, '-m', 'django', 'startproject', PROJECT, directory], check=True)
    package = os.path.join(directory, PROJECT)
    with open(os.path.join(package, 'settings.py'), 'a') as settings:
        settings.write(SETTINGS.format(database=arguments['database'], hashers=PASSWORD_HASHERS))
    with open(os.path.join(package, 'urls.py'), 'w') as urls:
        urls.write(URLS)
    with open(os.path.join(package, 'api.py'), 'w') as api:
        api.write(API)
    return {'project': PROJECT}


def setup(directory):
    sys.path.insert(0, directory)
    os.environ['DJANGO_SETTINGS_MODULE'] = f'{PROJECT}.settings'
    import django

    django.setup()


def users(arguments):
    from django.contrib.auth.hashers import identify_hasher, make_password
    from django.contrib.auth.models import User

    made = {}
    for entry in arguments:
        user = User(
            username=entry['username'],
            email=f"{entry['username']}@example.com",
            is_active=entry.get('is_active', True),
            is_staff=entry.get('is_staff', False),
        )
        user.password = make_password(entry['password'], hasher=entry.get('hasher', 'default'))
        user.save()
        # The algorithm Django stored, read back (unsalted_md5 stores no prefix at all).
        made[user.username] = identify_hasher(User.objects.get(pk=user.pk).password).algorithm
    return made


def set_password(arguments):
    from django.contrib.auth.models import User

    user = User.objects.get(username=arguments['username'])
    user.set_password(arguments['password'])
    user.save()
    return {'saved_at': time.time()}


def set_active(arguments):
    from django.contrib.auth.models import User

    user = User.objects.get(username=arguments['username'])
    user.is_active = arguments['active']
    user.save()
    return {'saved_at': time.time()}


def delete_token(arguments):
    from rest_framework.authtoken.models import Token

    deleted, _ = Token.objects.filter(user__username=arguments['username']).delete()
    return {'deleted': deleted, 'saved_at': time.time()}


def hashers(arguments):
    from django.contrib.auth.hashers import identify_hasher
    from django.contrib.auth.models import User

    return {
        user.username: identify_hasher(user.password).algorithm
        for user in User.objects.filter(username__in=arguments)
    }


COMMANDS = {
    'hashers': hashers,
    'users': users,
    'set-password': set_password,
    'set-active': set_active,
    'delete-token': delete_token,
}


def main():
    command, directory = sys.argv[1], sys.argv[2]
    arguments = json.load(sys.stdin)
    if command == 'create':
        result = create(directory, arguments)
    else:
        setup(directory)
        result = COMMANDS[command](arguments)
    print(json.dumps(result))


if __name__ == '__main__':
    main()
