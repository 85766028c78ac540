from django.contrib import admin

from .models import Profile, SavedGameAccount


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "whatsapp", "language"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(SavedGameAccount)
class SavedGameAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "product", "label", "times_bought", "last_used"]
    search_fields = ["user__email", "label"]
    raw_id_fields = ["user", "product"]
