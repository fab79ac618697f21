"""Kizuki's calendar and Atom feeds, read by the parsers that calendar and feed clients use.

Runs against a real `kizuki serve --demo` (see conftest.py).
"""

import datetime
import zoneinfo

import feedparser
import icalendar
import recurring_ical_events
import vobject

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def parse_both(text):
    calendar = icalendar.Calendar.from_ical(text)
    second = vobject.readOne(text)
    return calendar, second


def events(calendar):
    return [component for component in calendar.walk("VEVENT")]


def test_the_all_events_calendar_parses_in_two_libraries(fetch):
    text = fetch("/calendar.ics")
    calendar, second = parse_both(text)
    assert calendar["VERSION"] == "2.0"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    uids = [str(event["UID"]) for event in events(calendar)]
    assert len(uids) == len(set(uids)), "every event has its own UID"
    assert len(second.vevent_list) == len(uids)


def japan_time(day, clock):
    return datetime.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TOKYO)


def test_training_days_keep_their_japan_times(fetch, upcoming_training, today):
    sapporo, api_days = upcoming_training("札幌市")
    assert len(api_days) == 2, "the demo's basic training runs over two days"
    text = fetch(f"/trainings/{sapporo}/calendar.ics")
    calendar, second = parse_both(text)
    days = sorted(events(calendar), key=lambda event: event["DTSTART"].dt)
    assert len(days) == 2
    first = days[0]["DTSTART"].dt
    assert first.date() > today, "an upcoming training starts after today"
    assert first == japan_time(api_days[0]["date"], api_days[0]["start"])
    assert (first.hour, first.minute) == (10, 0)
    assert first.utcoffset() == datetime.timedelta(hours=9)
    assert days[1]["DTEND"].dt == japan_time(api_days[1]["date"], api_days[1]["end"])
    assert (days[1]["DTEND"].dt - first) == datetime.timedelta(days=1, hours=6, minutes=30)
    assert "札幌市" in str(days[0]["SUMMARY"])
    assert str(days[0]["UID"]) == f"training-{sapporo}-{first:%Y%m%d}@kizuki"
    # vobject agrees on the instant: 10:00 in Japan is 01:00 UTC.
    vobject_start = min(event.dtstart.value for event in second.vevent_list)
    assert vobject_start.astimezone(datetime.timezone.utc) == datetime.datetime.combine(
        first.date(), datetime.time(1, 0), tzinfo=datetime.timezone.utc
    )
    # The same UIDs on a second fetch: calendar clients update rather than duplicate.
    again = icalendar.Calendar.from_ical(fetch(f"/trainings/{sapporo}/calendar.ics"))
    assert sorted(str(e["UID"]) for e in events(again)) == sorted(str(e["UID"]) for e in days)


def second_saturday(year, month):
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(5 - first.weekday()) % 7 + 7)


def test_study_group_recurrence_expands_to_second_saturdays(fetch, group_id, today):
    shinjuku = group_id("IPS勉強会しんじゅく")
    calendar = icalendar.Calendar.from_ical(fetch(f"/study-groups/{shinjuku}/calendar.ics"))
    (master,) = events(calendar)
    assert master["RRULE"]["FREQ"] == ["MONTHLY"]
    # The three months after this one, wherever the clock stands.
    months = [((today.month - 1 + step) // 12 + today.year, (today.month - 1 + step) % 12 + 1) for step in (1, 2, 3, 4)]
    start, end = datetime.date(*months[0], 1), datetime.date(*months[3], 1)
    meetings = recurring_ical_events.of(calendar).between(start, end)
    starts = sorted(meeting["DTSTART"].dt for meeting in meetings)
    assert starts == [
        datetime.datetime.combine(second_saturday(year, month), datetime.time(14, 0), tzinfo=TOKYO)
        for year, month in months[:3]
    ]
    assert all(start.weekday() == 5 for start in starts), "all Saturdays in Japan"


def test_english_feeds_use_english_titles(fetch, upcoming_training):
    sapporo, _ = upcoming_training("札幌市")
    calendar = icalendar.Calendar.from_ical(fetch(f"/en/trainings/{sapporo}/calendar.ics"))
    assert all("Sapporo" in str(event["SUMMARY"]) for event in events(calendar))


def test_the_atom_feed_parses(fetch):
    feed = feedparser.parse(fetch("/feed.atom"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) > 10
    assert all(entry.link.startswith("http://127.0.0.1") for entry in feed.entries)
    english = feedparser.parse(fetch("/en/feed.atom"))
    assert not english.bozo
    assert any("Sapporo" in entry.title for entry in english.entries)
