#!/usr/bin/env python3
"""Generates rrule-cases.json: random HSDS 3 schedules and their occurrences computed by python-dateutil's rrule,
an independent RFC 5545 implementation. ScheduleCrossCheckTests reads the committed output, so the tests need no
Python; run this again (python3 make-rrule-cases.py > rrule-cases.json) only to change the cases.

Rules cover DAILY, WEEKLY and MONTHLY; intervals 1-4; byday with and without ordinals (ordinals only under MONTHLY,
as RFC 5545 allows); bymonthday (positive and negative, with and without byday); wkst; until; and dtstart on the
29th-31st. WEEKLY has no bymonthday (RFC 5545 forbids it).
"""
import datetime
import json
import random

from dateutil import rrule

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
DAYS = [rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU]
FREQS = {"DAILY": rrule.DAILY, "WEEKLY": rrule.WEEKLY, "MONTHLY": rrule.MONTHLY}
SPAN = {"DAILY": 120, "WEEKLY": 240, "MONTHLY": 1200}


def random_dtstart(rng):
    if rng.random() < 0.35:
        # The 29th-31st, in a month that has that day.
        while True:
            year = rng.randint(2024, 2028)
            month = rng.randint(1, 12)
            day = rng.randint(29, 31)
            try:
                return datetime.date(year, month, day)
            except ValueError:
                continue
    start = datetime.date(2024, 1, 1)
    return start + datetime.timedelta(days=rng.randint(0, 5 * 365))


def make_case(rng, number):
    freq = rng.choice(["DAILY", "WEEKLY", "MONTHLY", "MONTHLY"])
    interval = 1 if rng.random() < 0.5 else rng.randint(2, 4)
    dtstart = random_dtstart(rng)
    wkst = "MO" if rng.random() < 0.75 else rng.choice(WEEKDAYS)
    byday = []  # (ordinal or None, weekday index)
    bymonthday = []
    special = rng.random()
    if freq == "MONTHLY" and special < 0.08:
        byday, bymonthday = [(None, 4)], [13]  # Friday the 13th
    elif freq == "MONTHLY" and special < 0.16:
        byday, bymonthday = [(None, 0)], list(range(8, 15))  # the Monday between the 8th and the 14th
    elif freq == "MONTHLY" and special < 0.26:
        pass  # anchored by dtstart alone
    else:
        roll = rng.random()
        if roll < 0.5 or (freq == "MONTHLY" and roll < 0.65):
            count = rng.randint(1, 3)
            days = sorted(rng.sample(range(7), count))
            if freq == "MONTHLY" and rng.random() < 0.5:
                ordinals = [1, 2, 3, 4, 5, -1, -2, -5]
                byday = [(rng.choice(ordinals), d) for d in days]
            else:
                byday = [(None, d) for d in days]
        monthday_chance = {"DAILY": 0.2, "WEEKLY": 0.0, "MONTHLY": 0.45}[freq]
        if rng.random() < monthday_chance or (freq == "MONTHLY" and not byday and rng.random() < 0.6):
            pool = list(range(1, 32)) + [29, 30, 31, -1, -2, -7, -31, -30]
            bymonthday = sorted(set(rng.sample(pool, rng.randint(1, 3))))
    until = None
    if rng.random() < 0.2:
        until = dtstart + datetime.timedelta(days=rng.randint(20, SPAN[freq] - 20))

    schedule = {"freq": freq, "dtstart": dtstart.isoformat(), "opens_at": "10:00", "closes_at": "12:00"}
    rule = [f"FREQ={freq}"]
    if interval != 1:
        schedule["interval"] = interval if rng.random() < 0.8 else str(interval)
        rule.append(f"INTERVAL={interval}")
    if wkst != "MO":
        schedule["wkst"] = wkst
        rule.append(f"WKST={wkst}")
    if byday:
        text = ",".join(("" if n is None else str(n)) + WEEKDAYS[d] for n, d in byday)
        schedule["byday"] = text
        rule.append(f"BYDAY={text}")
    if bymonthday:
        text = ",".join(str(d) for d in bymonthday)
        form = rng.random()
        if len(bymonthday) == 1 and form < 0.3:
            schedule["bymonthday"] = bymonthday[0]
        elif form < 0.5:
            schedule["bymonthday"] = bymonthday
        else:
            schedule["bymonthday"] = text
        rule.append(f"BYMONTHDAY={text}")
    if until:
        schedule["until"] = until.isoformat()
        rule.append(f"UNTIL={until.strftime('%Y%m%d')}")

    weekdays = [DAYS[d] if n is None else DAYS[d](n) for n, d in byday]
    start = datetime.datetime.combine(dtstart, datetime.time())
    recurrence = rrule.rrule(
        FREQS[freq],
        dtstart=start,
        interval=interval,
        wkst=DAYS[WEEKDAYS.index(wkst)],
        byweekday=weekdays or None,
        bymonthday=bymonthday or None,
        until=datetime.datetime.combine(until, datetime.time()) if until else None,
    )
    first = dtstart - datetime.timedelta(days=7)
    last = first + datetime.timedelta(days=SPAN[freq] - 1)
    occurrences = recurrence.between(
        datetime.datetime.combine(first, datetime.time()), datetime.datetime.combine(last, datetime.time()), inc=True
    )
    return {
        "id": f"case-{number}",
        "rrule": ";".join(rule) + f" (DTSTART {dtstart.isoformat()})",
        "schedule": schedule,
        "from": first.isoformat(),
        "days": SPAN[freq],
        "occurrences": [(o.date() - first).days for o in occurrences],
    }


def main():
    rng = random.Random(20261201)
    cases = [make_case(rng, number) for number in range(400)]
    document = {
        "generator": "Tests/KioskDirectoryTests/Fixtures/make-rrule-cases.py",
        "dateutil": __import__("dateutil").__version__,
        "note": "occurrences are day offsets from `from`, over `days` days",
        "cases": cases,
    }
    print(json.dumps(document, indent=None, separators=(",", ":")).replace('},{"id"', '},\n{"id"'))


if __name__ == "__main__":
    main()
