"""The best-time answer as a 7 x 24 table for the web page and the admin: each cell's score and a CSS
class per score band (heat-0 .. heat-5 in webapp/static/webapp/analytics.css), so no inline style is
needed under the Content-Security-Policy."""

from .best_times import DAYS

HEAT_LEVELS = (0.6, 0.85, 1.15, 1.5, 2.0)  # the score where each band above heat-0 starts


def heat_class(score):
    return f"heat-{sum(score >= bound for bound in HEAT_LEVELS)}"


def heat_rows(answer):
    """7 rows (Monday first) of 24 cells: the slot, its class and a label."""
    slots = answer["slots"]
    return [
        {"day": DAYS[d].title(), "cells": [
            {**slots[d * 24 + h], "css": heat_class(slots[d * 24 + h]["score"]), "label": f"{DAYS[d].title()} {h:02d}:00"}
            for h in range(24)
        ]}
        for d in range(7)
    ]
