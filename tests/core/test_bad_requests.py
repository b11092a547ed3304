"""A NUL byte in an address is refused with 400 on every page (core.bad_requests)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "address",
    [
        "/forums/search/?q=%00",
        "/search/?q=mer%00cury",
        "/publications/?q=gold&kind=%00",
        "/forums/?page=%00",
        "/?%00=1",
        "/admin/forums/post/?status=%00",
    ],
)
def test_a_nul_byte_in_the_address_is_a_bad_request(client, address):
    assert client.get(address).status_code == 400


def test_the_same_pages_answer_without_it(client):
    for address in ("/en/forums/search/?q=mercury", "/en/publications/?q=gold", "/en/?utm=1"):
        assert client.get(address).status_code == 200
