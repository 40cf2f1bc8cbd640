"""Database addresses: read whatever form they are written in, never shown with a secret."""

from __future__ import annotations

import pytest

from geo.dburl import mask, parse, scrub
from geo.errors import StoreError

SECRET = "Pw9x@Qz7"


@pytest.mark.parametrize(
    ("address", "shown", "password", "host", "port", "database"),
    [
        ("postgresql://me:s3cret@db.local:5432/atlas", "postgresql://me:***@db.local:5432/atlas",
         "s3cret", "db.local", 5432, "atlas"),
        ("postgresql://me@db.local/atlas?password=s3cret&schema=x",
         "postgresql://me@db.local/atlas?password=***&schema=x", None, "db.local", None,
         "atlas"),
        (f"postgresql://me:{SECRET}@db.local:5432/atlas", "postgresql://me:***@db.local:5432/atlas",
         SECRET, "db.local", 5432, "atlas"),
        (f"postgresql://me:{SECRET}@db.local", "postgresql://me:***@db.local", SECRET,
         "db.local", None, None),
        ("postgresql://me:p%40ss%2Fw@db.local/atlas", "postgresql://me:***@db.local/atlas",
         "p@ss/w", "db.local", None, "atlas"),
        ("postgresql://me:a/b?c#d@db.local/atlas?application_name=x@y",
         "postgresql://me:***@db.local/atlas?application_name=x@y", "a/b?c#d", "db.local",
         None, "atlas"),
        ("postgresql+psycopg://me:pw@[::1]:5433/atlas", "postgresql+psycopg://me:***@[::1]:5433/atlas",
         "pw", "::1", 5433, "atlas"),
        ("postgresql://db.local/atlas", "postgresql://db.local/atlas", None, "db.local", None,
         "atlas"),
    ],
)
def test_every_form_is_read_right_and_shown_masked(address, shown, password, host, port,
                                                   database):
    assert mask(address) == shown
    url = parse(address)
    assert (url.password, url.host, url.port, url.database) == (password, host, port, database)
    if "password=" in address:
        assert url.query["password"] == "s3cret"


@pytest.mark.parametrize("port", ["abc", "5432x", "99999", "0"])
def test_a_bad_port_is_a_clear_error_with_the_address_masked(port):
    address = f"postgresql://me:{SECRET}@db.local:{port}/atlas"
    with pytest.raises(StoreError, match="port") as info:
        parse(address)
    assert "Pw9x" not in str(info.value) and "Qz7" not in str(info.value)
    assert "db.local" in str(info.value)


@pytest.mark.parametrize("text", ["", "not an address", "postgresql:/broken@x", "://@",
                                  "postgresql://user:pw@", "postgresql://:pw@h/d"])
def test_mask_never_raises_and_hides_what_follows_a_colon_before_the_at(text):
    shown = mask(text)
    assert "pw" not in shown or "pw" not in text


def test_scrub_removes_every_form_of_the_secret_from_a_message():
    address = "postgresql://me:p%40ss@db.local/atlas?sslpassword=k3y"
    message = (f"could not connect to {address}: password p@ss (p%40ss) rejected, "
               "key k3y locked")
    out = scrub(message, address)
    assert "p@ss" not in out and "p%40ss" not in out and "k3y" not in out
    assert "postgresql://me:***@db.local/atlas?sslpassword=***" in out
