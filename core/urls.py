from django.contrib.auth import views as auth_views
from django.urls import path

from core import views, views_setup

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("preferences/language/", views.set_user_language, name="set-user-language"),
    path("setup/", views_setup.setup, name="setup"),
]
