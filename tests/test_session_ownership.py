"""The head unit's pure session machine in the ownership situations: a binding removed, a
force unbind pending or rejected (shown with the login QR), the cloud's notices; and the
headless JSON of the View."""

from __future__ import annotations

import json

import pytest

from headunit.controller import View
from headunit.protocol import messages as m
from headunit.protocol.errors import MESSAGES
from headunit.session import (
    CloudSession,
    NoticeReceived,
    Persist,
    State,
    Tick,
    restore,
    step,
)

VIN = "LSJA24U66PS000001"
ANN = m.UserInfo(account_id="ann1", display_name="Ann Hansen", initials="AH")
ANN_BINDING = m.Binding(account_id="ann1", display_name="Ann Hansen", since=1.0)
T = 1_800_000_000.0


def cloud(seq: int, user=None, binding=None, force=None) -> CloudSession:
    return CloudSession(m.SessionState(vin=VIN, cloud_id="c1", seq=seq, user=user,
                                       binding=binding, force_unbind=force))


def at(s, now: float = T):
    return step(s, Tick(now)).session


def test_a_removed_binding_shows_the_login_qr_with_a_notice_and_is_persisted():
    s = at(restore(ANN, ANN_BINDING, "c1", 5))
    assert s.state is State.BOUND
    t = step(s, cloud(6))
    assert t.session.state is State.NO_USER and t.session.qr_purpose == "login"
    assert t.session.notice.code == "binding_removed"
    assert Persist(None, None, "c1", 6) in t.effects


def test_a_logout_elsewhere_that_keeps_the_binding_is_not_called_a_removal():
    s = at(restore(ANN, ANN_BINDING, "c1", 5))
    t = step(s, cloud(6, binding=ANN_BINDING))
    assert t.session.state is State.NO_USER and t.session.notice.code == "logged_out_by_cloud"


def test_a_pending_force_unbind_shows_beside_the_login_qr_until_it_closes():
    s = at(step(restore(None, ANN_BINDING, "c1", 5), cloud(5, binding=ANN_BINDING)).session)
    pending = m.ForceUnbindState(status="pending", requested=T, deadline=T + 72 * 3600)
    s = step(s, cloud(6, binding=ANN_BINDING, force=pending)).session
    s = step(s, NoticeReceived("force_unbind_requested", (("deadline", str(int(T))),))).session
    assert s.state is State.NO_USER and s.qr_purpose == "login"
    assert s.force_unbind == pending and s.notice.code == "force_unbind_requested"

    rejected = m.ForceUnbindState(status="rejected", requested=T, deadline=T + 72 * 3600)
    s = step(s, cloud(7, binding=ANN_BINDING, force=rejected)).session
    assert s.force_unbind.status == "rejected" and s.state is State.NO_USER

    s = step(s, cloud(8)).session  # a dealer unbound it
    s = step(s, NoticeReceived("unbind_completed", (("by", "dealer"),))).session
    assert s.force_unbind is None and s.binding is None
    assert s.notice.code == "unbind_completed" and dict(s.notice.params) == {"by": "dealer"}


def test_an_old_retained_state_does_not_bring_a_force_unbind_back():
    s = step(restore(None, None, "c1", 9), cloud(9)).session
    pending = m.ForceUnbindState(status="pending", requested=T, deadline=T + 1)
    assert step(s, cloud(8, binding=ANN_BINDING, force=pending)).session.force_unbind is None


def test_every_new_notice_code_has_a_text_that_says_what_to_do():
    for code in ("binding_removed", "force_unbind_requested", "force_unbind_rejected",
                 "unbind_completed", "bound_to_other_user", "force_unbind_request",
                 "force_unbind_sent", "force_unbind_pending", "force_unbind_needs_scan",
                 "car_not_bound", "not_bound_to_you", "confirmation_required",
                 "force_unbind_not_found", "force_unbind_closed"):
        assert len(MESSAGES[code]) > 30, code


def test_the_headless_json_shows_the_force_unbind_and_the_support_address():
    pending = m.ForceUnbindState(status="pending", requested=T, deadline=T + 72 * 3600)
    v = View(state="no_user", vin=VIN, model="MG4 Electric", online=True,
             broker_connected=True, user=None, binding=ANN_BINDING, qr=None, scan_expires=None,
             notice="force_unbind_requested", notice_params={}, login_error=None,
             public_url=None, force_unbind=pending)
    j = v.to_json()
    assert j["force_unbind"] == {"status": "pending", "requested": T,
                                 "deadline": T + 72 * 3600}
    assert j["support_email"] == "mg.europe@ismart-service.com"
    assert j["binding"]["display_name"] == "Ann Hansen" and not j["bound"]


@pytest.mark.parametrize("bad", [
    {"status": "maybe", "requested": T, "deadline": T + 1},
    {"status": "pending", "requested": "soon", "deadline": T + 1},
    {"status": "pending", "requested": T, "deadline": T + 1, "requester": "bob"},
    "pending",
])
def test_a_session_state_with_a_malformed_force_unbind_is_refused_with_a_reason(bad):
    payload = json.dumps({"type": "session", "vin": VIN, "cloud_id": "c1", "seq": 3,
                          "user": None, "binding": None, "force_unbind": bad}).encode()
    with pytest.raises(m.ProtocolError, match="force_unbind"):
        m.decode(m.SESSION, payload)
