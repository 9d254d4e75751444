from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from dossier import views as dossier_views
from pilotage import views, views_amendments, views_documents, views_renewal

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="contract_list", permanent=False)),
    # Log-in, log-out and password change only: there is no e-mail to reset a password by;
    # an administrator sets a new one in /admin/.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/setlang/", set_language, name="set_language"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/<slug:slug>/", views.contract_dashboard, name="contract_dashboard"),
    path("contracts/<slug:slug>/contract.pdf", views_documents.contract_pdf, name="contract_pdf"),
    path("contracts/<slug:slug>/documents/", include("pilotage.urls_documents")),
    path("contracts/<slug:slug>/avenants/", include("pilotage.urls_amendments")),
    path(
        "contracts/<slug:slug>/consolidated.pdf",
        views_amendments.consolidated_pdf,
        name="contract_consolidated_pdf",
    ),
    path(
        "contracts/<slug:slug>/dossier.zip", dossier_views.dossier_download, name="contract_dossier"
    ),
    path("contracts/<slug:slug>/renew/", views_renewal.contract_renew_view, name="contract_renew"),
    path("contracts/<slug:slug>/evaluation/", include("reviews.evaluation_urls")),
    path("contracts/<slug:slug>/fiches/", include("fiches.urls")),
    path("contracts/<slug:slug>/budget/", include("financing.urls")),
    path("contracts/<slug:slug>/reviews/", include("reviews.urls")),
    path("contracts/<slug:slug>/comments/", include("comments.urls")),
    path("notifications/", include("notifications.urls")),
    # The CDAJE plenaries' agenda and pack (agenda/pack_urls.py).
    path("plenaries/", include("agenda.pack_urls")),
    path("", include("agenda.urls")),
    path("api/v1/", include("api.urls")),
    path("api/tokens/", include("api.urls_tokens")),
    path("admin/", admin.site.urls),
]


def _administrators_only(request) -> bool:
    """The admin is not scoped to a territory: it is for administrators only. Django's own
    gate is the staff flag; an agent given it would read, and with their role's permissions
    change, the contracts, fiches and budgets of every territory there."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _administrators_only
admin.site.site_header = "CEJ Loire — administration"
admin.site.site_title = "CEJ Loire"
admin.site.index_title = "Contrats enfance jeunesse"
# The changelists hold wide money tables: give them the whole width.
admin.site.enable_nav_sidebar = False
