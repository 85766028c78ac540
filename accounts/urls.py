from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("akun/", views.home, name="home"),
    path("akun/profil/", views.profile, name="profile"),
    path("akun/hapus/", views.delete_account, name="delete"),
    path("akun/id-game/<int:saved_id>/label/", views.rename_saved, name="rename_saved"),
    path("akun/id-game/<int:saved_id>/hapus/", views.delete_saved, name="delete_saved"),
]
