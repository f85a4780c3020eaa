"""URLs of the experts app, one module per part (namespace "experts")."""

from experts.urls import certification, directory, knowledge, questions

app_name = "experts"
urlpatterns = [
    *certification.urlpatterns,
    *directory.urlpatterns,
    *questions.urlpatterns,
    *knowledge.urlpatterns,
]
