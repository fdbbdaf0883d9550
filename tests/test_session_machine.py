"""The head unit's pure session machine, driven event by event (no broker, no window)."""

from __future__ import annotations

from headunit.protocol.messages import Binding, Logout, PasswordLogin, SessionState, UserInfo
from headunit.session import (
    CancelPasswordLogin,
    CloudSession,
    Connectivity,
    LogoutPressed,
    NoticeReceived,
    OpenPasswordLogin,
    Persist,
    RequestAnswered,
    ScanEnded,
    ScanStarted,
    Send,
    Session,
    State,
    SubmitPassword,
    Tick,
    restore,
    step,
)

VIN = "LSJA24U66PS000001"
ANN = UserInfo(account_id="ann", display_name="Ann Hansen", initials="AH")
BOB = UserInfo(account_id="bob", display_name="Bob", initials="B")
ANN_BINDING = Binding(account_id="ann", display_name="Ann Hansen", since=1.0)


def cloud(seq: int, user=None, binding=None, cloud_id: str = "c1") -> CloudSession:
    return CloudSession(SessionState(vin=VIN, cloud_id=cloud_id, seq=seq, user=user,
                                     binding=binding))


def run(s: Session, *events):
    effects = []
    for e in events:
        t = step(s, e)
        s = t.session
        effects.extend(t.effects)
    return s, effects


def test_a_new_head_unit_shows_the_login_qr():
    s = Session()
    assert s.state is State.NO_USER and s.qr_purpose == "login"


def test_login_scan_waits_for_the_phone_then_shows_the_bind_qr():
    s, _ = run(Session(), ScanStarted("s1", "login", 100.0))
    assert s.state is State.LOGIN_SCANNED and s.qr_purpose is None
    s, effects = run(s, cloud(1, ANN), ScanEnded("s1", "confirmed"))
    assert s.state is State.LOGGED_IN and s.user == ANN and s.qr_purpose == "bind"
    assert Persist(ANN, None, "c1", 1) in effects


def test_bind_confirmation_in_either_order_ends_bound():
    base, _ = run(Session(), cloud(1, ANN), ScanStarted("s2", "bind", 100.0))
    assert base.state is State.BIND_SCANNED
    a, _ = run(base, cloud(2, ANN, ANN_BINDING), ScanEnded("s2", "confirmed"))
    b, _ = run(base, ScanEnded("s2", "confirmed"), cloud(2, ANN, ANN_BINDING))
    assert a.state is State.BOUND and b.state is State.BOUND


def test_a_scan_for_the_wrong_step_is_ignored():
    s, _ = run(Session(), ScanStarted("s1", "bind", 100.0))
    assert s.state is State.NO_USER


def test_a_cancelled_or_expired_scan_returns_to_the_qr_with_a_notice():
    s, _ = run(Session(), ScanStarted("s1", "login", 100.0), ScanEnded("s1", "cancelled"))
    assert s.state is State.NO_USER and s.notice.code == "scan_cancelled"
    s, _ = run(Session(), ScanStarted("s1", "login", 100.0), Tick(100.0))
    assert s.state is State.NO_USER and s.notice.code == "scan_expired"


def test_notices_disappear_after_a_while():
    s, _ = run(Session(now=0.0), NoticeReceived("bound_to_other_user"))
    assert s.notice.code == "bound_to_other_user"
    s, _ = run(s, Tick(5.0))
    assert s.notice is not None
    s, _ = run(s, Tick(60.0))
    assert s.notice is None


def test_an_older_session_state_never_overwrites_a_newer_one():
    s, _ = run(Session(), cloud(5, ANN, ANN_BINDING), cloud(3, None, None))
    assert s.state is State.BOUND and s.seq == 5


def test_a_new_cloud_database_is_followed_even_with_a_lower_seq():
    s, _ = run(Session(), cloud(5, ANN, ANN_BINDING), cloud(0, None, None, cloud_id="c2"))
    assert s.state is State.NO_USER and s.cloud_id == "c2"


def test_typed_credentials_log_in_without_a_scan():
    s, effects = run(Session(online=True), OpenPasswordLogin(),
                     SubmitPassword(" ann@example.com ", "secret"))
    assert s.state is State.PASSWORD_SUBMITTED
    assert Send(PasswordLogin(identifier="ann@example.com", password="secret")) in effects
    s, _ = run(s, RequestAnswered("password_login", True), cloud(1, ANN))
    assert s.state is State.LOGGED_IN


def test_wrong_credentials_return_to_the_form_with_the_reason():
    s, _ = run(Session(online=True), OpenPasswordLogin(), SubmitPassword("a@b.dk", "x"),
               RequestAnswered("password_login", False, "invalid_credentials"))
    assert s.state is State.PASSWORD_ENTRY and s.login_error == "invalid_credentials"


def test_typed_login_offline_is_refused_at_once_and_sends_nothing():
    s, effects = run(Session(online=False), OpenPasswordLogin(), SubmitPassword("a@b.dk", "x"))
    assert s.state is State.PASSWORD_ENTRY and s.login_error == "offline" and not effects


def test_empty_credentials_are_refused_locally():
    s, effects = run(Session(online=True), OpenPasswordLogin(), SubmitPassword("  ", ""))
    assert s.login_error == "missing_credentials" and not effects


def test_cancelling_the_form_goes_back_to_the_qr():
    s, _ = run(Session(), OpenPasswordLogin(), CancelPasswordLogin())
    assert s.state is State.NO_USER


def test_logout_is_immediate_and_a_stale_state_does_not_undo_it():
    s = restore(ANN, ANN_BINDING, "c1", 4)
    s, effects = run(s, LogoutPressed())
    assert s.state is State.NO_USER and s.user is None and s.notice.code == "logged_out"
    assert Send(Logout()) in effects and any(isinstance(e, Persist) for e in effects)
    # the retained state from before the logout arrives after a reconnect
    s, _ = run(s, cloud(4, ANN, ANN_BINDING))
    assert s.state is State.NO_USER
    s, _ = run(s, cloud(5, None, ANN_BINDING), RequestAnswered("logout", True))
    assert s.state is State.NO_USER and not s.pending_logout and s.binding == ANN_BINDING


def test_a_logged_out_but_bound_car_shows_the_login_qr():
    s = restore(None, ANN_BINDING)
    assert s.state is State.NO_USER and s.qr_purpose == "login"


def test_another_user_logged_in_on_a_bound_car_is_not_shown_as_bound():
    s, _ = run(Session(), cloud(1, BOB, ANN_BINDING))
    assert s.state is State.LOGGED_IN


def test_restart_restores_the_bound_screen_without_a_scan():
    assert restore(ANN, ANN_BINDING).state is State.BOUND


def test_connectivity_is_tracked():
    s, _ = run(Session(), Connectivity(True))
    assert s.online
    s, _ = run(s, Connectivity(False))
    assert not s.online


def test_being_logged_out_by_the_cloud_is_told():
    s, _ = run(restore(ANN, ANN_BINDING, "c1", 1), cloud(2, None, ANN_BINDING))
    assert s.state is State.NO_USER and s.notice.code == "logged_out_by_cloud"
