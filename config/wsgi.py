import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Load the URLconf (and with it every view, serializer and model) now, then move all these long-lived objects out of
# the cyclic garbage collector's reach. A posting builds thousands of objects per request, and every full collection
# it triggers would otherwise walk the whole of Django and the app again: freezing them took about 13 ms off a
# 500-line REST posting (server time 194 -> 180 ms, docs/performance.md).
_views = get_resolver().url_patterns  # imports every view
gc.freeze()
