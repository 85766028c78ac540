"""Absolute addresses for search engines and link previews (Open Graph, sitemap, robots)."""

from django import template
from django.conf import settings

register = template.Library()


def absolute(path: str, request=None) -> str:
    """SITE_URL + path when SITE_URL is set (the one public address), else the request's host."""
    if path.startswith(("http://", "https://")):
        return path
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/") + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    return absolute(path, context.get("request"))
