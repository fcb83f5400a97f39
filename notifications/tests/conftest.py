import pytest

from notifications.testing import LocalSmtpServer, free_port


@pytest.fixture
def smtp_server(settings):
    """A local SMTP server, not yet started, with Django's email pointed at it."""
    server = LocalSmtpServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "registrar@parks.example"
    yield server
    server.stop()
