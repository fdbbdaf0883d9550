"""An on-screen keyboard for a touchscreen without keys: big keys, Danish letters, and the
characters of e-mail addresses and phone numbers (layout in keyboard.kv).

Two layers (letters, and digits + symbols) share one shape, so switching only relabels the
same keys. The keyboard does not know about text fields: it dispatches ``on_key`` with a
character, ``"backspace"`` or ``"enter"``, and whoever shows it decides where that goes.
:meth:`TouchKeyboard.plan` says which keys to tap for a character (the remote control types
through it, tap by tap).
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

SHIFT, LAYER, BACKSPACE, SPACE, ENTER = "shift", "layer", "backspace", "space", "enter"
SPECIAL = (SHIFT, LAYER, BACKSPACE, SPACE, ENTER)

# each row: (value, width in key units); both layers have the same shape
_ROW4 = [(LAYER, 1.6), ("@", 1), (SPACE, 5.4), ("_", 1), (ENTER, 2)]
LAYERS: dict[str, list[list[tuple[str, float]]]] = {
    "letters": [
        [(c, 1) for c in "qwertyuiopå"],
        [(c, 1) for c in "asdfghjklæø"],
        [(SHIFT, 1.5), *[(c, 1) for c in "zxcvbnm.-"], (BACKSPACE, 1.5)],
        _ROW4,
    ],
    "symbols": [
        [(c, 1) for c in "1234567890+"],
        [(c, 1) for c in "!#$%&*/=?'\""],
        [(SHIFT, 1.5), *[(c, 1) for c in "()[]:;,~^"], (BACKSPACE, 1.5)],
        _ROW4,
    ],
}


def key_id(value: str) -> str:
    return f"key.{value}"


class Key(ButtonBehavior, Label):
    """One key; ``row``/``col`` place it, its value comes from the keyboard's layer."""

    rc_id = StringProperty("")
    value = StringProperty("")
    units = NumericProperty(1.0)
    special = BooleanProperty(False)
    lit = BooleanProperty(False)  # shift engaged
    label = StringProperty("")


class TouchKeyboard(BoxLayout):
    rc_id = StringProperty("keyboard")
    layer = OptionProperty("letters", options=list(LAYERS))
    shift = BooleanProperty(False)
    space_label = StringProperty("space")

    __events__ = ("on_key",)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._keys: list[list[Key]] = []
        for row in LAYERS[self.layer]:
            line = BoxLayout(spacing=self.spacing)
            self.bind(spacing=line.setter("spacing"))
            keys = []
            for _value, units in row:
                key = Key(units=units, size_hint_x=units)
                key.bind(on_release=self._pressed)
                line.add_widget(key)
                keys.append(key)
            self.add_widget(line)
            self._keys.append(keys)
        self._relabel()

    def on_layer(self, *_: object) -> None:
        self._relabel()

    def on_shift(self, *_: object) -> None:
        self._relabel()

    def on_space_label(self, *_: object) -> None:
        self._relabel()

    def _relabel(self) -> None:
        for keys, row in zip(getattr(self, "_keys", ()), LAYERS[self.layer], strict=False):
            for key, (value, _units) in zip(keys, row, strict=True):
                key.value = value
                key.special = value in SPECIAL
                key.rc_id = key_id(value)
                key.lit = value == SHIFT and self.shift
                key.label = self._label_for(value)

    def _label_for(self, value: str) -> str:
        if value == LAYER:
            return "?123" if self.layer == "letters" else "ABC"
        if value == SPACE:
            return self.space_label
        if value in SPECIAL:
            return ""
        return value.upper() if self.shift else value

    def _pressed(self, key: Key) -> None:
        value = key.value
        if value == SHIFT:
            self.shift = not self.shift
        elif value == LAYER:
            self.layer = "symbols" if self.layer == "letters" else "letters"
        elif value == SPACE:
            self.dispatch("on_key", " ")
        elif value in (BACKSPACE, ENTER):
            self.dispatch("on_key", value)
        else:
            ch = value.upper() if self.shift else value
            if self.shift:
                self.shift = False
            self.dispatch("on_key", ch)

    def on_key(self, value: str) -> None:
        pass

    def plan(self, ch: str) -> list[str]:
        """The rc_ids of the keys to tap, from the keyboard's state now, to type ``ch``
        (``"\\n"`` is Enter, ``"\\b"`` Backspace).

        ValueError when the keyboard has no key for it.
        """
        if ch == "\n":
            return [key_id(ENTER)]
        if ch == "\b":
            return [key_id(BACKSPACE)]
        if ch == " ":
            return [key_id(SPACE)]
        for layer in sorted(LAYERS, key=lambda name: name != self.layer):  # this layer first
            rows = LAYERS[layer]
            values = {v for row in rows for v, _ in row if v not in SPECIAL}
            base = ch.lower()
            if base not in values:
                continue
            needs_shift = ch != base
            if needs_shift and layer != "letters":
                continue
            taps = [] if self.layer == layer else [key_id(LAYER)]
            # a shift left on from before would change a lower-case letter
            letters_shift = self.shift and layer == "letters"
            if needs_shift != letters_shift and (needs_shift or ch.isalpha()):
                taps.append(key_id(SHIFT))
            return [*taps, key_id(base)]
        raise ValueError(f"the on-screen keyboard has no key for {ch!r}")


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
