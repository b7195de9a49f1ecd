"""The real Django REST Framework, serving the seed's endpoints, for scripts/drf-differential.ts.

Run by gunicorn with DRF_DIFF_DB naming a SQLite file; `python3 drf_app.py setup` creates the
tables and the users (alice active, bob inactive) and prints their keys as JSON.
"""
import json
import os
import sys

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY='differential-only',
    ALLOWED_HOSTS=['*'],
    ROOT_URLCONF=__name__,
    USE_TZ=True,
    DATABASES={'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': os.environ['DRF_DIFF_DB']}},
    INSTALLED_APPS=['django.contrib.auth', 'django.contrib.contenttypes', 'rest_framework',
                    'rest_framework.authtoken'],
    MIDDLEWARE=[],
    PASSWORD_HASHERS=['django.contrib.auth.hashers.PBKDF2PasswordHasher'],
)

import django  # noqa: E402

django.setup()

from django.urls import path  # noqa: E402
from rest_framework.authentication import TokenAuthentication  # noqa: E402
from rest_framework.authtoken.views import obtain_auth_token  # noqa: E402
from rest_framework.permissions import IsAuthenticated  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


class BuildTrigger(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    def post(self, request):
        return Response()


urlpatterns = [
    path('api/build-trigger/', BuildTrigger.as_view()),
    path('api-token-auth/', obtain_auth_token),
]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

if __name__ == '__main__' and sys.argv[1:] == ['setup']:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    call_command('migrate', verbosity=0)
    alice = User.objects.create_user('alice', 'alice@example.com', 'alice-password')
    bob = User.objects.create_user('bob', 'bob@example.com', 'bob-password', is_active=False)
    print(json.dumps({'alice': Token.objects.create(user=alice).key,
                      'bob': Token.objects.create(user=bob).key}))
