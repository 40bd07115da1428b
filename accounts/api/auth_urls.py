from django.urls import path

from . import auth_views

urlpatterns = [
    path("register/", auth_views.RegisterView.as_view(), name="auth-register"),
    path("login/", auth_views.LoginView.as_view(), name="auth-login"),
    path("refresh/", auth_views.RefreshView.as_view(), name="auth-refresh"),
    path("logout/", auth_views.LogoutView.as_view(), name="auth-logout"),
    path("me/", auth_views.MeView.as_view(), name="auth-me"),
]
