"""A logout made while the cloud is away is kept, persisted and sent again: the pure rules
(the integration side is in test_faults.py)."""

from __future__ import annotations

from headunit.clock import ScaledClock
from headunit.controller import HeadUnit
from headunit.identity import load_or_create
from headunit.protocol.messages import Binding, Logout, SessionState, UserInfo
from headunit.session import (
    CloudSession,
    Connectivity,
    LogoutPressed,
    Persist,
    RequestAnswered,
    Send,
    State,
    restore,
    step,
)
from headunit.store import Remembered, SessionStore

VIN = "LSJA24U66PS000001"
ANN = UserInfo(account_id="ann", display_name="Ann Hansen", initials="AH")
ANN_BINDING = Binding(account_id="ann", display_name="Ann Hansen", since=1.0)


def bound_offline():
    s = restore(ANN, ANN_BINDING, "c1", 4)
    t = step(s, LogoutPressed())
    assert t.session.pending_logout and Send(Logout()) in t.effects
    assert Persist(None, ANN_BINDING, "c1", 4, True) in t.effects
    return t.session


def test_a_timed_out_logout_stays_pending_and_is_sent_again_when_the_cloud_is_back():
    s = bound_offline()
    t = step(s, RequestAnswered("logout", False, "timeout"))
    assert t.session.pending_logout and t.effects == ()  # offline: nothing to send now
    t = step(t.session, Connectivity(True))
    assert t.effects == (Send(Logout()),)
    # the cloud's state from before the logout does not bring Ann back
    t = step(t.session, CloudSession(SessionState(vin=VIN, cloud_id="c1", seq=4, user=ANN,
                                                  binding=ANN_BINDING)))
    assert t.session.user is None and t.session.state is State.NO_USER
    # the cloud's answer ends it, and that is persisted
    t = step(t.session, RequestAnswered("logout", True, None))
    assert not t.session.pending_logout
    assert t.effects == (Persist(None, ANN_BINDING, "c1", 4, False),)


def test_a_logout_that_times_out_while_online_is_sent_again_at_once():
    s = step(bound_offline(), Connectivity(True)).session
    t = step(s, RequestAnswered("logout", False, "timeout"))
    assert t.effects == (Send(Logout()),) and t.session.pending_logout


def test_a_refused_logout_is_not_retried():
    t = step(bound_offline(), RequestAnswered("logout", False, "not_car_user"))
    assert not t.session.pending_logout


def test_a_pending_logout_is_remembered_across_a_restart(tmp_path):
    store = SessionStore(tmp_path)
    store.save(Remembered(user=None, binding=ANN_BINDING, cloud_id="c1", seq=4,
                          pending_logout=True))
    r = store.load()
    assert r.pending_logout
    s = restore(r.user, r.binding, r.cloud_id, r.seq, r.pending_logout)
    assert step(s, Connectivity(True)).effects == (Send(Logout()),)


def test_a_head_unit_that_cannot_save_says_so_and_saves_once_it_can(tmp_path):
    identity = load_or_create(tmp_path, VIN)
    hu = HeadUnit(identity, tmp_path, ScaledClock())
    views = []
    hu.on_change(views.append)
    # a directory where session.json should be: every write fails, as on a broken disk
    (tmp_path / "session.json").mkdir()
    hu.dispatch(CloudSession(SessionState(vin=VIN, cloud_id="c1", seq=1, user=ANN,
                                          binding=None)))
    assert views[-1].state == "logged_in"  # the screen is right
    assert views[-1].storage_error and "cannot save to" in views[-1].storage_error
    assert views[-1].to_json()["storage_error"] == views[-1].storage_error
    (tmp_path / "session.json").rmdir()
    hu._save_retry_at = 0.0  # do not wait for the retry period
    hu.tick()
    assert views[-1].storage_error is None
    assert SessionStore(tmp_path).load().user == ANN
