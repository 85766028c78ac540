"""The admin classes every back-office page is built from (django-unfold's look).

Every admin in the project imports ModelAdmin / TabularInline / StackedInline from here
instead of django.contrib.admin: ``from storefront.admin_base import ModelAdmin``. Filters,
actions, ``admin.register`` and ``admin.display`` stay Django's own.
"""

from django.contrib.admin.widgets import ManyToManyRawIdWidget
from unfold.admin import ModelAdmin as UnfoldModelAdmin
from unfold.admin import StackedInline as UnfoldStackedInline
from unfold.admin import TabularInline as UnfoldTabularInline
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from unfold.widgets import INPUT_CLASSES as UNFOLD_INPUT_CLASSES

__all__ = [
    "AdminPasswordChangeForm",
    "ModelAdmin",
    "StackedInline",
    "TabularInline",
    "UserChangeForm",
    "UserCreationForm",
]


class RawIdManyToMany:
    """unfold 0.91 gives a many-to-many field in raw_id_fields a plain text input, whose
    "3,7" reaches the form as one string: every save failed with "Masukkan beberapa nilai".
    Django's own raw-id widget splits the ids, with unfold's input look."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.raw_id_fields:
            kwargs["widget"] = ManyToManyRawIdWidget(
                db_field.remote_field,
                self.admin_site,
                attrs={"class": " ".join(UNFOLD_INPUT_CLASSES)},
                using=kwargs.get("using"),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ModelAdmin(RawIdManyToMany, UnfoldModelAdmin):
    """A model's pages in the back office: unfold's layout, the form in one column."""

    compressed_fields = True


class TabularInline(RawIdManyToMany, UnfoldTabularInline):
    pass


class StackedInline(RawIdManyToMany, UnfoldStackedInline):
    pass


def adopt(site) -> None:
    """Gives unfold's look to every admin still built on Django's plain classes (third-party
    apps' admins, or one added without this module): each is registered again as a subclass
    of itself and ModelAdmin, its inlines likewise. Called once all admins are registered
    (StorefrontConfig.ready)."""
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        if isinstance(model_admin, UnfoldModelAdmin):
            continue
        attrs = {"__module__": cls.__module__}
        if cls.inlines:
            attrs["inlines"] = [_adopt_inline(inline) for inline in cls.inlines]
        site.unregister(model)
        site.register(model, type(cls.__name__, (cls, ModelAdmin), attrs))


def _adopt_inline(inline):
    if issubclass(inline, (UnfoldTabularInline, UnfoldStackedInline)):
        return inline
    from django.contrib.admin import TabularInline as DjangoTabularInline

    base = TabularInline if issubclass(inline, DjangoTabularInline) else StackedInline
    return type(inline.__name__, (inline, base), {"__module__": inline.__module__})


def translate_generated_labels(site) -> None:
    """Every label of an admin's model goes through gettext, so the back office shows it in the
    user's language (locale/id has them): the ones Django made from a name ("created_at" ->
    "created at") and the ones written as plain text. Only the runtime label changes;
    migrations see the same text (a lazy string equals its source).
    """
    from django.apps import apps
    from django.utils.translation import gettext_lazy, override

    def lazy(text):
        return gettext_lazy(text) if isinstance(text, str) and text else text

    for app in apps.get_app_configs():
        app.verbose_name = lazy(app.verbose_name)
    models = {*site._registry}
    models |= {inline.model for admin in site._registry.values() for inline in admin.inlines}
    for model in models:
        opts = model._meta
        if "verbose_name_plural" not in opts.original_attrs:  # "<verbose name>s"
            with override("en"):
                opts.verbose_name_plural = str(opts.verbose_name_plural)
        opts.verbose_name = lazy(opts.verbose_name)
        opts.verbose_name_plural = lazy(opts.verbose_name_plural)
        for field in opts.get_fields():
            if hasattr(field, "verbose_name"):
                field.verbose_name = lazy(field.verbose_name)
            if hasattr(field, "help_text"):
                field.help_text = lazy(field.help_text)
            choices = getattr(field, "choices", None)
            if choices and all(isinstance(label, str) for _value, label in choices):
                field.choices = [(value, lazy(label)) for value, label in choices]
