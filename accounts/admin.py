from django.contrib import admin

from storefront.admin_base import ModelAdmin

from .models import Profile, SavedGameAccount


@admin.register(Profile)
class ProfileAdmin(ModelAdmin):
    list_display = ["user", "whatsapp", "language"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(SavedGameAccount)
class SavedGameAccountAdmin(ModelAdmin):
    list_display = ["user", "product", "label", "times_bought", "last_used"]
    search_fields = ["user__email", "label"]
    raw_id_fields = ["user", "product"]
