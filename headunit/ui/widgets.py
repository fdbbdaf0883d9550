"""The head unit's building blocks: text, icons, buttons, tiles and banners (layout in widgets.kv).

A rule in a screen's ``.kv`` must not give a new expression to a property that the class
rule in widgets.kv already binds (Kivy keeps both bindings, and the class rule's may win
after a resize): each widget has a property for that instead (``role``, ``tone``,
``size_role``, ``diameter``, ``collapsed``).

Every widget a test or a rig may want to find carries an ``rc_id`` (a stable name such as
``home.user``), which the remote-control interface reports and taps by.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget


class Txt(Label):
    """Text that wraps to its width and is exactly as tall as its lines."""

    rc_id = StringProperty("")
    role = StringProperty("body")  # body | small | title | large | huge
    tone = StringProperty("text")  # text | muted | accent | danger | warn | ok


class Caption(Label):
    """One line of text, as wide as it needs (for bars and rows)."""

    rc_id = StringProperty("")
    role = StringProperty("body")
    tone = StringProperty("text")


class Icon(Label):
    """A glyph of the icon font; ``icon`` is its name in :mod:`headunit.ui.icons`."""

    rc_id = StringProperty("")
    icon = StringProperty("info")
    tone = StringProperty("accent")
    size_role = StringProperty("icon_m")  # icon_s | icon_m | icon_l


class Btn(ButtonBehavior, Label):
    """A touch button with a label; ``primary`` fills it with the accent colour."""

    rc_id = StringProperty("")
    primary = BooleanProperty(False)
    selected = BooleanProperty(False)


class IconBtn(ButtonBehavior, Label):
    rc_id = StringProperty("")
    icon = StringProperty("info")
    collapsed = BooleanProperty(False)  # takes no room, hidden (e.g. Back on the home screen)


class IconTextBtn(ButtonBehavior, BoxLayout):
    """A button with an icon before its label (e.g. Log out)."""

    rc_id = StringProperty("")
    icon = StringProperty("info")
    text = StringProperty("")
    primary = BooleanProperty(False)


class Tile(ButtonBehavior, BoxLayout):
    """A big square-ish menu entry: an icon over a label."""

    rc_id = StringProperty("")
    icon = StringProperty("apps")
    text = StringProperty("")
    accent = BooleanProperty(False)


class Banner(BoxLayout):
    """A full-width strip with an icon and a message; collapses when ``text`` is empty."""

    rc_id = StringProperty("")
    icon = StringProperty("info")
    text = StringProperty("")
    kind = StringProperty("warn")  # warn | info | danger


class Field(TextInput):
    """A text field for the on-screen keyboard: keeps its focus while keys are tapped."""

    rc_id = StringProperty("")


class Avatar(Label):
    """A round badge with a person's initials; ``diameter`` in pixels."""

    rc_id = StringProperty("")
    diameter = NumericProperty(64)
    role = StringProperty("title")


class Spacer(Widget):
    pass


class Card(BoxLayout):
    """A rounded surface that groups content."""

    rc_id = StringProperty("")
    fill = ListProperty([])


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
