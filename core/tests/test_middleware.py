import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from core.middleware import PageMessageMiddleware


@pytest.mark.parametrize(("path", "has_messages"), [("/", True), ("/admin/", True), ("/api/v1/orgs/x/cart", False)])
def test_messages_are_set_up_for_pages_not_for_the_api(path, has_messages):
    seen = {}

    def view(request):
        seen["messages"] = hasattr(request, "_messages")
        return HttpResponse("ok")

    request = RequestFactory().get(path)
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)  # messages keep a fallback in the session
    response = PageMessageMiddleware(view)(request)
    assert response.status_code == 200
    assert seen == {"messages": has_messages}
