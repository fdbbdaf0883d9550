"""The layout checker the UI tests use finds each kind of fault (so a green UI test means
something)."""

from __future__ import annotations

from tests.support.layout import problems


def snap(*widgets: dict) -> dict:
    base = {"id": "", "cls": "Widget", "parent": 0, "touch": False, "disabled": False}
    root = {**base, "cls": "Root", "rect": [0, 0, 800, 480], "parent": -1}
    return {"window": [800, 480], "dp": 1.0, "widgets": [root, *({**base, **w} for w in widgets)]}


def test_a_clean_screen_has_no_problems():
    assert problems(snap(
        {"cls": "Btn", "id": "ok", "rect": [10, 10, 120, 52], "touch": True, "text": "OK",
         "needed_size": [30, 20]},
        {"cls": "Txt", "rect": [200, 10, 300, 40], "text": "Hello", "needed_size": [300, 40]},
    )) == []


def test_text_needing_more_room_than_its_widget_is_found():
    found = problems(snap({"cls": "Txt", "id": "t", "rect": [0, 0, 100, 20],
                           "text": "Notifikationer", "needed_size": [130, 20]}))
    assert found == ["Txt#t 'Notifikationer' needs 130x20 px but has 100x20"]


def test_taller_text_and_shortened_text_are_found():
    found = problems(snap({"cls": "Txt", "rect": [0, 0, 100, 20], "text": "a b",
                           "needed_size": [100, 40], "shorten": True}))
    assert len(found) == 2 and "shortened" in found[1]


def test_widgets_outside_the_window_or_their_parent_are_found():
    found = problems(snap(
        {"cls": "Box", "id": "box", "rect": [700, 0, 100, 100]},
        {"cls": "Btn", "id": "b", "rect": [760, 0, 60, 60], "parent": 1, "touch": True},
    ))
    assert any("outside the 800x480 window" in p for p in found)
    assert any("sticks out of its parent Box#box" in p for p in found)


def test_small_and_overlapping_touch_targets_are_found():
    found = problems(snap(
        {"cls": "Btn", "id": "small", "rect": [0, 0, 40, 60], "touch": True},
        {"cls": "Btn", "id": "a", "rect": [100, 0, 60, 60], "touch": True},
        {"cls": "Btn", "id": "b", "rect": [130, 0, 60, 60], "touch": True},
    ))
    assert "touch target Btn#small is 40x60 px, smaller than 48 dp (48 px)" in found
    assert "touch targets Btn#a and Btn#b overlap" in found
