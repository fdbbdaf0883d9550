"""The bound user's panel: name and initials, the car's model and VIN, the service tiles of
that model (each opens ``service/<key>``; a service the model lacks has none), and Log out."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import ListProperty
from kivy.uix.boxlayout import BoxLayout

from ..services import services_for
from ..widgets import Tile
from . import register


class ProfilePanel(BoxLayout):
    services = ListProperty()

    def on_kv_post(self, _base: object) -> None:
        from kivy.app import App
        self.ui = App.get_running_app().ui
        self.ui.bind(view=self._update, s=self._relabel)
        self._update()

    def _update(self, *_: object) -> None:
        # only the services the car's model has: the others have no tile
        services = list(services_for(self.ui.view.vehicle if self.ui.view else None))
        if services != self.services:
            self.services = services
            grid = self.ids.tiles
            grid.clear_widgets()
            for key, icon in services:
                tile = Tile(rc_id=f"service.{key}", icon=icon)
                tile.bind(on_release=lambda _t, k=key: self.ui.go(f"service/{k}"))
                grid.add_widget(tile)
            self._relabel()

    def _relabel(self, *_: object) -> None:
        for tile, (key, _icon) in zip(reversed(self.ids.tiles.children), self.services, strict=False):
            tile.text = self.ui.s[f"service.{key}"]


register("profile", ProfilePanel, "bound")
Builder.load_file(str(Path(__file__).with_suffix(".kv")))
