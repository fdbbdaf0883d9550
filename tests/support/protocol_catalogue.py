"""Everything the protocol package defines, found by looking (so the fuzzers cover new
messages and topics as soon as they are added): every message schema, every payload decoder,
every topic of a car and of the cloud.

- messages: each pydantic model in any ``headunit.protocol`` module with a literal ``type``;
- decoders: each module-level ``TypeAdapter`` in those modules, plus the availability values;
- topics: the cloud's constants (``ismart/v1/...`` strings in ``topics``) and every
  ``topics.VEHICLE_LEAVES`` leaf of a car.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import typing
from collections.abc import Callable

from hypothesis import assume
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter

import headunit.protocol as protocol_pkg
from headunit.protocol import messages as m
from headunit.protocol import topics


def protocol_modules() -> list:
    return [importlib.import_module(f"{protocol_pkg.__name__}.{info.name}")
            for info in pkgutil.iter_modules(protocol_pkg.__path__)]


def message_models() -> list[type[BaseModel]]:
    """Every top-level message: a model whose ``type`` field is a literal."""
    found: dict[str, type[BaseModel]] = {}
    for module in protocol_modules():
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel:
                field = obj.model_fields.get("type")
                if field is not None and typing.get_origin(field.annotation) is typing.Literal:
                    found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[k] for k in sorted(found)]


def decoders() -> list[Callable[[bytes], object]]:
    """Every way a receiver accepts a payload; each raises on what it refuses."""
    out: list[Callable[[bytes], object]] = [m.decode_availability]
    seen: set[int] = set()
    for module in protocol_modules():
        for obj in vars(module).values():
            if isinstance(obj, TypeAdapter) and id(obj) not in seen:
                seen.add(id(obj))
                out.append(lambda payload, a=obj: m.decode(a, payload))
    return out


def accepted_anywhere(payload: bytes) -> bool:
    """Would any receiver take ``payload`` as a valid message?"""
    for decode in decoders():
        try:
            decode(payload)
            return True
        except Exception:  # noqa: BLE001 - any refusal counts as "not accepted"
            pass
    return False


def cloud_topics() -> list[str]:
    return sorted(v for k, v in vars(topics).items()
                  if k.isupper() and isinstance(v, str) and v.startswith(topics.PREFIX + "/"))


def vehicle_topics(vin: str) -> list[str]:
    return [topics.vehicle(vin, leaf) for leaf in topics.VEHICLE_LEAVES]


def all_topics(vin: str, other_vin: str) -> list[str]:
    """Every topic a process of the system may subscribe to, for ``vin`` and a stranger."""
    return (cloud_topics() + vehicle_topics(vin) + vehicle_topics(other_vin)
            + [f"{topics.PREFIX}/vehicles/NOT-A-VIN/{leaf}" for leaf in topics.VEHICLE_LEAVES])


# ---------------------------------------------------------------- payload strategies

JSON_LEAF = (st.none() | st.booleans() | st.integers(-(2**70), 2**70)
             | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40))
JSON = st.recursive(JSON_LEAF, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)


def from_schema(schema: dict, defs: dict | None = None) -> st.SearchStrategy:
    """Values a JSON schema allows, for the subset pydantic writes (objects, strings with
    patterns and lengths, bounded numbers, const, enum, anyOf, $ref, arrays, maps). Anything
    else falls back to arbitrary JSON, which is still fine to throw at a receiver."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return st.deferred(lambda: from_schema(defs[schema["$ref"].split("/")[-1]], defs))
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "anyOf" in schema:
        return st.one_of([from_schema(s, defs) for s in schema["anyOf"]])
    t = schema.get("type")
    if t == "null":
        return st.none()
    if t == "boolean":
        return st.booleans()
    if t == "string":
        lo, hi = schema.get("minLength", 0), schema.get("maxLength", 300)
        base = (st.from_regex(schema["pattern"], fullmatch=True) if "pattern" in schema
                else st.text(min_size=lo, max_size=hi))
        return base.filter(lambda v: lo <= len(v) <= hi)
    if t in ("number", "integer"):
        lo = schema.get("minimum", schema.get("exclusiveMinimum"))
        hi = schema.get("maximum", schema.get("exclusiveMaximum"))
        if t == "integer":
            return st.integers(min_value=lo, max_value=hi)
        return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False,
                         exclude_min="exclusiveMinimum" in schema,
                         exclude_max="exclusiveMaximum" in schema)
    if t == "array":
        return st.lists(from_schema(schema.get("items", {}), defs), max_size=4)
    if t == "object" and "properties" in schema:
        props, required = schema["properties"], set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {k: from_schema(v, defs) for k, v in props.items() if k in required},
            optional={k: from_schema(v, defs) for k, v in props.items() if k not in required})
    if t == "object":
        extra = schema.get("additionalProperties", {})
        values = from_schema(extra, defs) if isinstance(extra, dict) and extra else JSON
        return st.dictionaries(st.text(max_size=12), values, max_size=4)
    return JSON


def valid_messages(model: type[BaseModel]) -> st.SearchStrategy[dict]:
    """Instances of ``model`` as its schema allows them (odd but valid values included)."""
    kind = model.model_fields["type"].default
    return from_schema(model.model_json_schema()).map(lambda d: {**d, "type": kind})


def any_valid_message() -> st.SearchStrategy[dict]:
    return st.one_of([valid_messages(model) for model in message_models()])


def _mutate(draw: st.DrawFn, message: dict) -> object:
    how = draw(st.sampled_from(["drop", "retype", "extra", "unknown_type", "wrap", "nest"]))
    out = dict(message)
    keys = sorted(out)
    if how == "drop" and keys:
        out.pop(draw(st.sampled_from(keys)))
    elif how == "retype" and keys:
        out[draw(st.sampled_from(keys))] = draw(JSON)
    elif how == "extra":
        out[draw(st.text(min_size=1, max_size=12))] = draw(JSON)
    elif how == "unknown_type":
        out["type"] = draw(st.text(max_size=20) | JSON)
    elif how == "wrap":
        return [out]
    else:
        key = draw(st.sampled_from(keys)) if keys else "x"
        out[key] = {"nested": out.get(key)}
    return out


@st.composite
def invalid_payloads(draw: st.DrawFn) -> bytes:
    """Bytes no receiver accepts: broken messages, non-JSON, odd encodings, too big, too deep."""
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "json", "bytes", "huge",
                                 "deep", "text"]))
    if kind == "mutated":
        payload = json.dumps(_mutate(draw, draw(any_valid_message()))).encode()
    elif kind == "json":
        payload = json.dumps(draw(JSON)).encode()
    elif kind == "bytes":
        payload = draw(st.binary(max_size=200))
    elif kind == "huge":
        # total sizes end in 5, so a test's barrier payload (a size ending in 0) stays unique
        payload = b"{" + b" " * (m.MAX_PAYLOAD + draw(st.integers(0, 4000)) * 10 + 7) + b"}"
    elif kind == "deep":
        depth = draw(st.integers(100, 60_000))
        payload = b"[" * depth + b"]" * draw(st.integers(0, depth))
    else:
        payload = draw(st.text(max_size=100)).encode("utf-8", "surrogatepass")
    assume(not accepted_anywhere(payload))
    return payload
