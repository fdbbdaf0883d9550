"""The wire protocol: topics, payloads, error codes and the QR token.

Both sides import this package: the head unit (``headunit``) and the simulators of the cloud,
the car and the phone (``firmware_sim``). ``docs/protocol.md`` documents it with examples.
"""

from . import errors, messages, qrtoken, topics
from .errors import CloudError, message_for
from .messages import ProtocolError, decode, encode

__all__ = ["errors", "messages", "qrtoken", "topics", "CloudError", "message_for",
           "ProtocolError", "decode", "encode"]
