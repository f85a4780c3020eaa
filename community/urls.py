from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("members/", include("community.members.urls")),
    path("reviews/", include("community.reviews.urls")),
    path("search/", include("search.urls")),
    path("chat/", include("community.chat.urls")),
    path("reputation/", include("community.reputation.urls")),
    path("", include("experts.urls")),
    path("", include("brand_clubs.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
# Wagtail's page tree serves everything else, so it comes last.
urlpatterns.append(path("", include(wagtail_urls)))
