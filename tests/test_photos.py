"""Memories: uploads through the party page, the files served, the organizer's and the
moderators' decisions, reports, deletion by link, the wall and the feed."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from eventmap import operations, versions
from eventmap.extensions import db
from eventmap.models import AuditEntry, Event, EventReport, Photo, PhotoStatus
from eventmap.services import photo_storage
from eventmap.submissions import new_edit_token
from tests.helpers import PASSWORD, form_token, sign_in
from tests.image_corpus import assert_clean_rendition, hostile_files

PARTY = "/openstack6bday/{slug}"
DELETE_LINK = re.compile(r'href="(/photos/delete/[^"]+)"')


# Images made on the spot -------------------------------------------------------------------


def jpeg(width: int = 64, height: int = 48, colour: str = "red", *, gps: bool = False) -> bytes:
    """Return a small JPEG, with an EXIF block that holds GPS tags when asked."""
    image = Image.new("RGB", (width, height), colour)
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (48.0, 8.0, 0.0), 3: "E", 4: (11.0, 34.0, 0.0)}
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png(width: int = 40, height: int = 30) -> bytes:
    """Return a small PNG."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), "blue").save(out, "PNG")
    return out.getvalue()


def noise_png(side: int) -> bytes:
    """Return a PNG of random pixels, which does not compress: about 3 bytes per pixel."""
    import os

    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


# Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def storage(app, tmp_path):
    """Return the app's photo storage: each test's own folder (conftest sets PHOTO_DIR)."""
    with app.app_context():
        found = photo_storage()
    assert str(tmp_path) in str(found.root)
    return found


@pytest.fixture
def party(app, make_event, storage) -> dict[str, Any]:
    """A public party in the past, with its organizer's private link."""
    token, token_hash = new_edit_token()
    event = make_event(edit_token_hash=token_hash)
    return {
        "id": event.id,
        "slug": event.slug,
        "url": PARTY.format(slug=event.slug),
        "token": token,
    }


def upload(client, party, files=None, **fields: Any):
    """Post the upload form of a party's page as a browser would."""
    data: dict[str, Any] = {
        "csrf_token": form_token(client, party["url"]),
        "caption": "Cake and candles",
        "consent": "y",
        **fields,
    }
    if files is None:
        files = [("one.jpg", jpeg()), ("two.png", png())]
    fields_and_files = MultiDict(data)
    for name, body in files:
        fields_and_files.add("photos", FileStorage(io.BytesIO(body), name))
    # Encoded here, in memory: the test client would spool a large body to a temporary file
    # that the app's guarded input stream does not close.
    boundary, body = encode_multipart(fields_and_files)
    return client.post(
        party["url"] + "/photos",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def stored_photos(app) -> list[Photo]:
    with app.app_context():
        return list(db.session.scalars(select(Photo).order_by(Photo.id)))


def publish_all(app) -> None:
    with app.app_context():
        operations.decide_photos(
            db.session.scalars(select(Photo)).all(), PhotoStatus.PUBLISHED, actor="organizer"
        )


# Uploads -----------------------------------------------------------------------------------


def test_two_photos_wait_for_approval_and_the_uploader_gets_a_delete_link(app, client, party):
    sent = upload(client, party)

    assert sent.status_code == 200, sent.get_data(as_text=True)
    page = sent.get_data(as_text=True)
    assert "2 photos" in page
    assert "wait" in page
    assert DELETE_LINK.search(page)
    assert sent.headers["Cache-Control"] == "no-store"
    photos = stored_photos(app)
    assert [p.status for p in photos] == [PhotoStatus.PENDING] * 2
    assert all(p.caption == "Cake and candles" and p.consent for p in photos)
    assert len({p.delete_token_hash for p in photos}) == 1  # one link for the upload
    with app.app_context():
        storage = photo_storage()
        assert all(storage.exists(key) for p in photos for key in p.keys)
        assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == (
            "photos-added"
        )
    # Nothing shows before a decision.
    assert "Cake and candles" not in client.get(party["url"]).get_data(as_text=True)


def test_the_upload_form_shows_once_the_party_has_started(app, client, make_event, storage):
    later = make_event(
        start_date=date.today() + timedelta(days=3), end_date=date.today() + timedelta(days=3)
    )
    url = PARTY.format(slug=later.slug)
    assert "Share your photos" not in client.get(url).get_data(as_text=True)
    early = client.post(url + "/photos", data={"caption": "x"})
    assert early.status_code == 409
    assert "once the party has started" in early.get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "files", "says"),
    [
        ({"consent": ""}, None, "Tick the box"),
        ({"caption": ""}, None, "Write a few words"),
        ({}, [], "Choose at least one photo"),
        ({}, [(f"{n}.jpg", jpeg()) for n in range(11)], "send at most 10"),
    ],
)
def test_an_incomplete_upload_is_shown_again_with_what_is_missing(
    app, client, party, fields, files, says
):
    sent = upload(client, party, files, **fields)
    assert sent.status_code == 422
    assert says in sent.get_data(as_text=True)
    assert stored_photos(app) == []


def test_a_file_that_only_claims_to_be_an_image_is_refused_with_its_name(app, client, party):
    sent = upload(client, party, [("party.jpg", b"<html><script>alert(1)</script></html>")])
    assert sent.status_code == 422
    page = sent.get_data(as_text=True)
    assert "party.jpg" in page
    assert "<script>alert" not in page
    assert stored_photos(app) == []


def test_good_files_are_kept_when_another_file_of_the_upload_is_refused(app, client, party):
    sent = upload(client, party, [("good.jpg", jpeg()), ("bad.jpg", b"GIF89a not really")])
    assert sent.status_code == 200
    page = sent.get_data(as_text=True)
    assert "Not taken" in page
    assert "bad.jpg" in page
    assert len(stored_photos(app)) == 1


def test_no_published_file_keeps_exif_or_gps(app, client, party):
    upload(client, party, [("gps.jpg", jpeg(gps=True))])
    photo = stored_photos(app)[0]
    for key in photo.keys:
        served = client.get(f"/photos/{key}")
        with Image.open(io.BytesIO(served.data)) as image:
            exif = image.getexif()
            assert 0x8825 not in exif, key
            assert 0x010F not in exif, key


def test_an_upload_may_be_larger_than_the_default_body_limit_but_no_other_form(app, client, party):
    big = noise_png(700)  # about 1.5 MB, over the app's 1 MB
    assert len(big) > app.config["MAX_CONTENT_LENGTH"]
    assert upload(client, party, [("big.png", big)]).status_code == 200
    other = client.post(
        "/submit",
        data=b"title=" + b"x" * len(big),
        content_type="application/x-www-form-urlencoded",
    )
    assert other.status_code == 413


def test_an_upload_over_its_own_limit_says_how_much_may_be_sent(app, client, party, monkeypatch):
    monkeypatch.setattr("eventmap.web.photos.upload_limit", lambda: 10_000)
    sent = upload(client, party, [("big.png", noise_png(100))])
    assert sent.status_code == 413
    assert "at most 10 photos of 15 MB" in sent.get_data(as_text=True)


def test_a_bot_filling_the_hidden_field_stores_nothing(app, client, party):
    assert upload(client, party, website="http://spam.example").status_code == 200
    assert stored_photos(app) == []


def test_an_expired_form_is_shown_again(app, client, party):
    sent = upload(client, party, csrf_token="nope")
    assert sent.status_code == 400
    assert "expired" in sent.get_data(as_text=True)
    assert stored_photos(app) == []


def test_uploads_are_rate_limited(app, client, party):
    app.config["PHOTO_RATE_LIMIT"] = "2 per hour"
    codes = [upload(client, party, [("a.jpg", jpeg())]).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_a_failing_store_leaves_no_row_and_no_file(app, client, party, storage, monkeypatch):
    calls = []
    real_put = storage.put

    def flaky(key: str, data: bytes, content_type: str) -> None:
        calls.append(key)
        if len(calls) == 3:  # the second photo's first file (small: one file a format)
            raise OSError("disk full")
        real_put(key, data, content_type)

    monkeypatch.setattr(storage, "put", flaky)
    with app.app_context():
        event = db.session.get(Event, party["id"])
        with pytest.raises(OSError, match="disk full"):
            operations.add_photos(
                event,
                [operations.Upload("a.jpg", jpeg()), operations.Upload("b.png", png())],
                "x",
                consent=True,
                storage=storage,
            )
    assert stored_photos(app) == []
    assert not any(storage.exists(key) for key in calls)


# Files -------------------------------------------------------------------------------------


def test_files_are_served_with_their_type_nosniff_and_a_long_immutable_cache(app, client, party):
    upload(client, party)
    photo = stored_photos(app)[0]
    webp = client.get(f"/photos/{photo.key('thumb', 'webp')}")
    assert webp.status_code == 200
    assert webp.mimetype == "image/webp"
    assert webp.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in webp.headers["Cache-Control"]
    assert "max-age=31536000" in webp.headers["Cache-Control"]
    assert client.get(f"/photos/{photo.key('full', 'jpeg')}").mimetype == "image/jpeg"


@pytest.mark.parametrize("key", ["../secret_key", "abc.jpg", "0" * 64 + ".svg", "0" * 64 + ".jpg"])
def test_a_file_name_that_is_not_a_stored_photo_is_404(client, storage, key):
    assert client.get(f"/photos/{key}").status_code == 404


# Decisions ---------------------------------------------------------------------------------


def test_the_organizer_publishes_photos_from_their_private_page(app, client, party):
    upload(client, party)
    edit = client.get(f"/edit/{party['token']}")
    assert "Photos waiting for you" in edit.get_data(as_text=True)
    ids = [str(p.id) for p in stored_photos(app)]
    done = client.post(
        f"/edit/{party['token']}/photos",
        data={
            "photo": ids,
            "action": "publish",
            "csrf_token": form_token(client, f"/edit/{party['token']}"),
        },
    )
    assert done.status_code == 303
    assert [p.status for p in stored_photos(app)] == [PhotoStatus.PUBLISHED] * 2
    page = client.get(party["url"]).get_data(as_text=True)
    assert page.count('alt="Cake and candles"') == 2
    assert "Report this photo" in page
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "photo-published")
        ).all()
        assert len(actions) == 2


def test_a_rejection_needs_a_reason_and_keeps_it(app, client, party):
    upload(client, party)
    ids = [str(p.id) for p in stored_photos(app)]
    url = f"/edit/{party['token']}"
    client.post(
        url + "/photos",
        data={"photo": ids, "action": "reject", "csrf_token": form_token(client, url)},
    )
    assert [p.status for p in stored_photos(app)] == [PhotoStatus.PENDING] * 2
    assert "Say why" in client.get(url).get_data(as_text=True)
    client.post(
        url + "/photos",
        data={
            "photo": ids[:1],
            "action": "reject",
            "reason": "blurry",
            "csrf_token": form_token(client, url),
        },
    )
    photos = stored_photos(app)
    assert photos[0].status == PhotoStatus.REJECTED
    assert photos[0].rejection_reason == "blurry"
    assert photos[1].status == PhotoStatus.PENDING


def test_an_organizer_cannot_decide_on_another_partys_photos(app, client, party, make_event):
    upload(client, party)
    token, token_hash = new_edit_token()
    with app.app_context():
        make_event(edit_token_hash=token_hash)
    ids = [str(p.id) for p in stored_photos(app)]
    url = f"/edit/{token}"
    client.post(
        url + "/photos",
        data={"photo": ids, "action": "publish", "csrf_token": form_token(client, url)},
    )
    assert [p.status for p in stored_photos(app)] == [PhotoStatus.PENDING] * 2


def test_moderators_publish_and_reject_in_bulk_from_the_photos_queue(app, client, party):
    upload(
        client,
        party,
        [(f"{n}.jpg", jpeg(colour=c)) for n, c in enumerate(("red", "green", "blue"))],
    )
    with app.app_context():
        operations.create_admin("eve", PASSWORD)
    sign_in(client)
    queue = client.get("/admin/photos")
    assert queue.status_code == 200
    assert "3 photos waiting" in queue.get_data(as_text=True)
    ids = [str(p.id) for p in stored_photos(app)]
    token = form_token(client, "/admin/photos")
    client.post(
        "/admin/photos/decide", data={"photo": ids[:2], "action": "publish", "csrf_token": token}
    )
    client.post(
        "/admin/photos/decide",
        data={
            "photo": ids[2:],
            "action": "reject",
            "reason": "not this party",
            "csrf_token": token,
        },
    )
    assert [p.status.value for p in stored_photos(app)] == ["published", "published", "rejected"]
    with app.app_context():
        entry = db.session.scalars(AuditEntry.newest()).first()
        assert entry.actor == "admin:eve"
        assert entry.action == "photo-rejected"
        assert entry.details["reason"] == "not this party"


def test_the_photos_queue_is_for_moderators_only(client, storage):
    assert client.get("/admin/photos").status_code == 302


def test_a_report_takes_a_photo_back_to_the_queue(app, client, party):
    upload(client, party, [("a.jpg", jpeg())])
    publish_all(app)
    photo = stored_photos(app)[0]
    token = form_token(client, party["url"])
    reported = client.post(f"/photos/{photo.id}/report", data={"csrf_token": token})
    assert reported.status_code == 303
    photo = stored_photos(app)[0]
    assert photo.status == PhotoStatus.PENDING
    assert photo.reported_count == 1
    assert photo.reported_at is not None
    assert 'alt="Cake and candles"' not in client.get(party["url"]).get_data(as_text=True)
    # Reporting what is not shown is a 404; a post without the form's token is refused.
    assert client.post(f"/photos/{photo.id}/report", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/photos/{photo.id}/report").status_code == 400


# Deletion ----------------------------------------------------------------------------------


def test_the_uploaders_link_deletes_a_photo_and_its_files(app, client, party):
    sent = upload(client, party)
    link = DELETE_LINK.search(sent.get_data(as_text=True)).group(1)
    listed = client.get(link)
    assert listed.status_code == 200
    assert listed.headers["Cache-Control"] == "no-store"
    first, second = stored_photos(app)
    token = form_token(client, link)
    assert client.post(f"{link}/{first.id}", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        storage = photo_storage()
        assert not any(storage.exists(key) for key in first.keys)
        assert all(storage.exists(key) for key in second.keys)
    assert [p.id for p in stored_photos(app)] == [second.id]
    # Another upload's link, or a made-up one, deletes nothing.
    assert client.get("/photos/delete/made-up").status_code == 404
    assert (
        client.post(f"/photos/delete/made-up/{second.id}", data={"csrf_token": token}).status_code
        == 404
    )


def test_a_file_another_photo_keeps_is_not_deleted(app, client, party):
    same = jpeg(colour="green")
    upload(client, party, [("a.jpg", same)])
    upload(client, party, [("b.jpg", same)])
    first, second = stored_photos(app)
    assert first.keys == second.keys  # content-addressed: the same files
    with app.app_context():
        operations.delete_photo(
            db.session.get(Photo, first.id), actor="cli", storage=photo_storage()
        )
        assert all(photo_storage().exists(key) for key in second.keys)
        operations.delete_photo(
            db.session.get(Photo, second.id), actor="cli", storage=photo_storage()
        )
        assert not any(photo_storage().exists(key) for key in second.keys)


def test_a_moderator_deletes_any_photo_for_good(app, client, party):
    upload(client, party, [("a.jpg", jpeg())])
    photo = stored_photos(app)[0]
    with app.app_context():
        operations.create_admin("eve", PASSWORD)
    sign_in(client)
    token = form_token(client, "/admin/photos")
    assert (
        client.post(f"/admin/photos/{photo.id}/delete", data={"csrf_token": token}).status_code
        == 303
    )
    assert stored_photos(app) == []
    assert client.get(f"/photos/{photo.key('page', 'jpeg')}").status_code == 404


# The organizer's report ------------------------------------------------------------------


def test_the_organizer_reports_how_it_went(app, client, party):
    url = f"/edit/{party['token']}"
    saved = client.post(
        url + "/report",
        data={
            "attendance": "42",
            "words": "Cake for all.",
            "links": "https://example.org/slides\n\nhttps://mastodon.example/@x/1",
            "csrf_token": form_token(client, url),
        },
    )
    assert saved.status_code == 303
    with app.app_context():
        report = db.session.get(EventReport, party["id"])
        assert report.attendance == 42
        assert report.links == ["https://example.org/slides", "https://mastodon.example/@x/1"]
    page = client.get(party["url"]).get_data(as_text=True)
    assert "<strong>42</strong> came" in page
    assert 'href="https://example.org/slides" rel="nofollow noopener ugc"' in page
    campaign = client.get("/openstack6bday/").get_data(as_text=True)
    assert "<strong>42</strong> came to <strong>1</strong> party" in campaign


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"links": "javascript:alert(1)"}, "is not a web address"),
        ({"links": "\n".join(f"https://e.org/{n}" for n in range(11))}, "At most 10 links"),
        ({"attendance": "-3"}, "Number must be"),
    ],
)
def test_a_report_with_a_bad_field_says_which(app, client, party, fields, says):
    url = f"/edit/{party['token']}"
    saved = client.post(url + "/report", data={**fields, "csrf_token": form_token(client, url)})
    assert saved.status_code == 422
    assert says in saved.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(EventReport, party["id"]) is None


def test_the_report_rule_is_the_domains_too(app, ctx, party):
    event = db.session.get(Event, party["id"])
    with pytest.raises(ValueError, match="not a web address"):
        operations.save_report(event, None, "", ["ftp://example.org"])


# Where memories show -----------------------------------------------------------------------


def test_the_wall_shows_published_photos_newest_first_by_page_and_country(
    app, client, party, make_event, monkeypatch
):
    monkeypatch.setattr("eventmap.memories.WALL_PAGE_SIZE", 2)
    upload(
        client,
        party,
        [(f"{n}.jpg", jpeg(colour=c)) for n, c in enumerate(("red", "green", "blue"))],
        caption="Munich",
    )
    with app.app_context():
        other = make_event(country_code="AR", title="Buenos Aires").slug
    upload(
        client,
        {**party, "url": PARTY.format(slug=other)},
        [("ar.jpg", jpeg())],
        caption="Asado",
    )
    publish_all(app)
    with app.app_context():  # decided one after the other, newest last
        for n, photo in enumerate(db.session.scalars(select(Photo).order_by(Photo.id))):
            photo.decided_at = datetime(2016, 7, 20, tzinfo=UTC) + timedelta(hours=n)
        db.session.commit()
    first = client.get("/openstack6bday/memories")
    assert first.status_code == 200
    page = first.get_data(as_text=True)
    assert page.index('alt="Asado"') < page.index('alt="Munich"')
    assert 'rel="next"' in page
    assert "<strong>4</strong> photos" in page
    second = client.get("/openstack6bday/memories?page=2").get_data(as_text=True)
    assert second.count('alt="Munich"') == 2
    argentina = client.get("/openstack6bday/memories?country=ar").get_data(as_text=True)
    assert 'alt="Asado"' in argentina
    assert 'alt="Munich"' not in argentina
    assert client.get("/openstack6bday/memories?country=xyz").status_code == 400
    assert client.get("/openstack6bday/memories?page=0").status_code == 400


def test_the_memories_feed_lists_new_photos(app, client, party):
    upload(client, party, [("a.jpg", jpeg())])
    publish_all(app)
    feed = client.get("/openstack6bday/memories.atom")
    assert feed.status_code == 200
    assert feed.mimetype == "application/atom+xml"
    body = feed.get_data(as_text=True)
    assert "Cake and candles" in body
    assert "/photos/" in body


def test_only_a_published_photo_is_a_new_version_of_the_public_data(app, client, party):
    with app.app_context():
        before = versions.current(db.session).value
    upload(client, party, [("a.jpg", jpeg())])
    with app.app_context():
        assert versions.current(db.session).value == before
    publish_all(app)
    with app.app_context():
        assert versions.current(db.session).value == before + 1
        assert db.session.scalar(select(func.count()).select_from(Photo)) == 1


# The hostile corpus, through the upload route ----------------------------------------------


@pytest.mark.parametrize("hostile", hostile_files(), ids=lambda f: f.filename)
def test_every_hostile_file_gets_its_outcome_through_the_upload_route(app, client, party, hostile):
    sent = upload(client, party, [(hostile.filename, hostile.data)])
    page = sent.get_data(as_text=True)
    photos = stored_photos(app)
    if hostile.outcome == "accepted":
        assert sent.status_code == 200, page
        assert len(photos) == 1
        for key in photos[0].keys:
            served = client.get(f"/photos/{key}")
            assert served.headers["X-Content-Type-Options"] == "nosniff"
            assert_clean_rendition(served.data)
    else:
        assert sent.status_code == 422, page
        assert hostile.filename in page  # the message names the file
        assert "<script>alert" not in page
        assert photos == []


def test_the_map_feed_counts_each_partys_published_photos(app, client, party, make_event):
    with app.app_context():
        make_event()
    upload(client, party, [("a.jpg", jpeg()), ("b.png", png())])
    assert client.get("/api/map-events").get_json()["photos"] == [0, 0]  # none published yet
    publish_all(app)
    feed = client.get("/api/map-events").get_json()
    assert dict(zip(feed["id"], feed["photos"], strict=True))[party["id"]] == 2
    assert sorted(feed["photos"]) == [0, 2]
    assert "Only parties with photos" in client.get("/openstack6bday/map").get_data(as_text=True)


def test_a_past_partys_card_shows_its_best_photo(app, client, party):
    from eventmap.cards import HEIGHT, INSET, MARGIN, WIDTH

    centre = (WIDTH - MARGIN - INSET // 2, HEIGHT // 2)
    card = f"{party['url']}/card.png"
    with Image.open(io.BytesIO(client.get(card).data)) as drawn:
        assert drawn.convert("RGB").getpixel(centre) != (0, 0, 255)  # the map
    upload(client, party, [("small.jpg", jpeg(60, 40, "red")), ("big.png", png(400, 300))])
    publish_all(app)
    with Image.open(io.BytesIO(client.get(card).data)) as drawn:
        red, green, blue = drawn.convert("RGB").getpixel(centre)
    assert blue > 200
    assert red < 40
    assert green < 40


def test_the_counters_say_how_many_came_and_how_many_photos(app, client, party, make_event):
    with app.app_context():
        other = make_event()
        operations.save_report(db.session.get(Event, party["id"]), 1200, "", [])
        operations.save_report(other, 40, "", [])
    upload(client, party, [("a.jpg", jpeg()), ("b.png", png())])
    publish_all(app)
    expected = "<strong>1,240</strong> came to <strong>2</strong> parties; <a"
    for page in ("/openstack6bday/", "/openstack6bday/stats"):
        body = client.get(page).get_data(as_text=True)
        assert expected in body, page
        assert "<strong>2</strong> photos</a>" in body, page


def test_odd_requests_get_a_clear_answer_never_a_500(app, client, party):
    token = form_token(client, party["url"])
    assert client.post("/openstack6bday/nope/photos", data={"csrf_token": token}).status_code == 404
    not_multipart = client.post(
        party["url"] + "/photos", data={"csrf_token": token, "caption": "x", "consent": "y"}
    )
    assert not_multipart.status_code == 422
    assert "Choose at least one photo" in not_multipart.get_data(as_text=True)
    assert client.post("/photos/99999999999/report", data={"csrf_token": token}).status_code == 404
    assert client.get("/photos/delete/" + "x" * 300).status_code == 404
    url = f"/edit/{party['token']}"
    odd = client.post(
        url + "/photos",
        data={
            "photo": ["1x", "²", "99999999999"],
            "action": "publish",
            "csrf_token": form_token(client, url),
        },
        follow_redirects=True,
    )
    assert odd.status_code == 200
    assert "Tick at least one photo first." in odd.get_data(as_text=True)
    assert client.post("/edit/made-up/photos", data={"csrf_token": token}).status_code == 404
    assert client.get("/openstack6bday/memories?page=abc").status_code == 400


def test_the_party_page_and_the_wall_keep_every_id_unique(app, client, party):
    import collections

    upload(client, party, [("a.jpg", jpeg()), ("b.png", png())])
    publish_all(app)
    for url in (party["url"], "/openstack6bday/memories"):
        html = client.get(url).get_data(as_text=True)
        ids = collections.Counter(re.findall(r'\sid="([^"]+)"', html))
        assert [name for name, n in ids.items() if n > 1] == [], url


def test_the_memories_speak_the_visitors_language_and_mark_the_uploaders_words(app, client, party):
    client.set_cookie("lang", "es")
    refused = upload(client, party, [("notes.txt", b"hello")]).get_data(as_text=True)
    assert "notes.txt no es una imagen" in refused
    sent = upload(client, party, [("a.jpg", jpeg()), ("b.jpg", jpeg(colour="blue"))])
    page = sent.get_data(as_text=True)
    assert "¡Gracias!" in page
    assert "2 fotos de" in page
    assert "esperan a que el organizador" in page
    publish_all(app)
    party_page = client.get(party["url"]).get_data(as_text=True)
    assert "Denunciar esta foto" in party_page
    assert '<span lang="" dir="auto">Cake and candles</span>' in party_page
    client.set_cookie("lang", "ar")
    wall = client.get("/openstack6bday/memories").get_data(as_text=True)
    assert "ذكريات" in wall
    assert "<strong>2</strong>" in wall
    feed = client.get("/openstack6bday/memories.atom").get_data(as_text=True)
    assert "ذكريات جديدة" in feed
    assert 'xml:lang="ar"' in feed
