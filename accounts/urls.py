from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("people/<int:pk>/", views.ProfileDetailView.as_view(), name="profile"),
    path("accounts/profile/", views.ProfileUpdateView.as_view(), name="profile_edit"),
    path("accounts/export/", views.AccountExportView.as_view(), name="export"),
    path("accounts/verification/", views.VerificationView.as_view(), name="verification"),
    path("accounts/delete/", views.AccountDeleteView.as_view(), name="delete"),
    path("language/", views.LanguageSwitchView.as_view(), name="set_language"),
]
