"""The attrs models of API v2, generated from ``openapi/wacr-v2.yaml``.

Every request body, response payload, resource and webhook payload of the spec has a class
here (``Contact``, ``SendTextRequest``, ``TextMessageResult``, ``WebhookPayload``, ...). Enums
are open: a value the server adds later parses into a pseudo-member instead of failing.
"""

from wacr.models._base import Model as Model
from wacr.models._base import OpenEnum as OpenEnum
from wacr.models._extra import Deleted as Deleted
from wacr.models._generated import *  # noqa: F403
