from django.apps import AppConfig


class UiConfig(AppConfig):
    """The pages' shared layer: base templates, form rendering, includes, filters, sign-in, error
    pages, vendored USWDS and htmx, and the browser-test harness. No models, no business rules."""

    name = "ui"
    verbose_name = "Pages: shared interface"
