from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("games/<slug:slug>/", views.game, name="game"),
    path("prices/", views.price_list, name="prices"),
]
