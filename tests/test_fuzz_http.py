"""schemathesis against the OpenAPI document of a running cloud process: every endpoint, valid
and invalid input, as a logged-in phone (and as the admin for admin routes). No answer may be a
5xx, and every refusal is the documented JSON error body.

The budget is ISMART_FUZZ_HTTP_EXAMPLES per endpoint (CI: a few dozen; ``make fuzz``: more).
"""

from __future__ import annotations

import os

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.conftest import ADMIN_TOKEN, System
from tests.support.headunit import qr

EXAMPLES = int(os.environ.get("ISMART_FUZZ_HTTP_EXAMPLES", "30"))


@pytest.fixture(scope="module")
def cloud_api(mosquitto, tmp_path_factory):
    s = System(mosquitto.url, tmp_path_factory.mktemp("http-fuzz"))
    s.start_cloud()
    hu = s.start_headunit(vin="LSJA24U66PS000071", name="hu")
    s.new_user("ann", "Ann Hansen")
    qr(hu, "login", timeout=30)  # a known car, so car routes reach the lifecycle
    r = httpx.post(f"{s.cloud_url}/api/v1/sessions", timeout=30, json={
        "identifier": "ann@example.com", "password": "correct horse",
        "accept_user_agreement": True, "accept_privacy_policy": True})
    s.token = r.json()["token"]
    yield s
    s.stop()


def operations(cloud_api: System) -> list:
    """Every operation of the running cloud's OpenAPI document."""
    schema = schemathesis.openapi.from_url(f"{cloud_api.cloud_url}/openapi.json")
    ops = [result.ok() for result in schema.get_all_operations()]
    assert len(ops) >= 15, [f"{o.method} {o.path}" for o in ops]
    return ops


def check(case, cloud_api: System) -> None:  # noqa: ANN001
    if case.path.startswith("/api/v1/admin/"):
        token = ADMIN_TOKEN
    elif case.method.upper() == "DELETE":
        token = "not-a-session"  # logging our own phone out would blunt every later case
    else:
        token = cloud_api.token
    response = case.call(base_url=cloud_api.cloud_url,
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
    where = f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
    assert response.status_code < 500, where
    assert cloud_api.cloud.alive, where
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["code"] and error["message"], where


# (schemathesis's own pytest integration cannot load a schema from a fixture under pytest 9,
# so each operation's case strategy is driven by hypothesis directly)
@pytest.mark.integration
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_endpoint_answers_5xx_and_every_refusal_is_a_json_error(cloud_api, mode):
    fuzzed = []
    for operation in operations(cloud_api):
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def fuzz(case) -> None:  # noqa: ANN001
            check(case, cloud_api)

        try:
            fuzz()
        except Unsatisfiable:
            # no invalid input exists for an operation without parameters (GET /healthz)
            assert mode is GenerationMode.NEGATIVE, operation.path
            continue
        fuzzed.append(f"{operation.method} {operation.path}")
    assert len(fuzzed) >= (15 if mode is GenerationMode.POSITIVE else 8), fuzzed


@pytest.mark.integration
def test_a_key_registered_to_one_car_is_refused_for_another(cloud_api):
    """Found by the fuzzer above: this used to be a 500 (a UNIQUE constraint)."""
    key = "udGkA03vUe7aLHwZW2EACyv9SWNEPdC79_0IyQRJbpM"
    url = f"{cloud_api.cloud_url}/api/v1/admin/vehicles"
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    r = httpx.post(url, headers=auth, json={"vin": "LSJA24U66PS000072", "public_key": key,
                                            "model": "MG4 Electric"})
    assert r.status_code == 201, r.text
    r = httpx.post(url, headers=auth, json={"vin": "LSJA24U66PS000073", "public_key": key,
                                            "model": "MG4 Electric"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "key_in_use"
